import { runMonthly } from '../../score/monthly.js';
import { jsonOption, optionalNumber, optionalString, type Command } from '../command.js';
import { describeSummary } from './score.js';

export const monthlyCommand: Command = {
  name: 'monthly',
  summary:
    "the month's job: score data/users/ with model/ into reports/YYYY-MM/, then drift and its report (npm start)",
  usage: '[--month YYYY-MM] [--model DIR] [--users FILE|DIR] [--reports DIR] [--json]',
  details:
    'Scores the one users CSV in --users (default data/users) with the model in --model (default model),\n' +
    'writing reports/YYYY-MM/ (predictions, top prospects, rejects, summary, profile), then compares the\n' +
    "month's profile with the model's reference profile (and the previous month's, when present) and writes\n" +
    'drift.json and drift.html beside them. Run it again for the same month and it replaces that month.',
  options: {
    month: { type: 'string', value: 'YYYY-MM', description: 'the month (default: the current month, UTC)' },
    model: { type: 'string', value: 'DIR', description: 'model directory (default model)' },
    users: {
      type: 'string',
      value: 'FILE|DIR',
      description: 'users CSV, or a folder with one (default data/users)',
    },
    reports: { type: 'string', value: 'DIR', description: 'where month folders go (default reports)' },
    threads: { type: 'string', value: 'N', description: 'onnxruntime threads (default 1)' },
    ...jsonOption,
  },
  async run(args) {
    const result = await runMonthly({
      month: optionalString(args, 'month'),
      modelDir: optionalString(args, 'model'),
      users: optionalString(args, 'users'),
      reportsDir: optionalString(args, 'reports'),
      threads: optionalNumber(args, 'threads', { integer: true, min: 1, max: 64 }),
    });
    const { summary } = result.score;
    const lines = [
      `monthly run ${result.month} on ${result.input}`,
      describeSummary(summary, result.outDir),
      result.drift
        ? `drift: ${result.drift.datasetDrift ? 'DATASET DRIFT detected' : 'no dataset drift'} against the model's reference${result.drift.previousMonth ? ` (and compared with ${result.drift.previousMonth})` : ''}; wrote ${result.drift.files.join(', ')}`
        : 'drift: not measured (the model directory has no reference profile)',
      `open ${result.drift ? result.drift.files[1] : `${result.outDir}/summary.json`} to read the month`,
    ];
    return {
      data: {
        month: result.month,
        input: result.input,
        outDir: result.outDir,
        files: [...result.score.files, ...(result.drift?.files ?? [])],
        drift: result.drift,
        summary,
      },
      text: lines.join('\n'),
    };
  },
};

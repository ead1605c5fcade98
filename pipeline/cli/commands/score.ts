import { scoreFile } from '../../score/score.js';
import { parseShard } from '../../score/run-options.js';
import type { ScoreSummary } from '../../score/summary.js';
import { jsonOption, optionalNumber, optionalString, requiredString, type Command } from '../command.js';

/** The lines a person reads after a run: what became of the rows, what the scores say, where the files are. */
export function describeSummary(summary: ScoreSummary, outDir: string): string {
  const { rows } = summary;
  const reasons = Object.entries(rows.rejected_by_reason)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  return [
    `${summary.month}${summary.shard ? ` shard ${summary.shard.index}/${summary.shard.count}` : ''}: model v${summary.model.version} (${summary.model.sha256.slice(0, 12)}), input ${summary.input.file}`,
    `rows read ${rows.read} = scored ${rows.scored} + rejected ${rows.rejected} + opted out ${rows.opted_out}: ${summary.reconciliation.holds ? 'reconciled' : 'DOES NOT RECONCILE'}`,
    ...(reasons ? [`rejected: ${reasons}`] : []),
    `expected buyers ${summary.expected_buyers.toFixed(1)}; likely buyers at ${summary.threshold}: ${summary.likely_buyers}; top prospects: ${summary.top_prospects.rows}`,
    `${summary.timing.seconds} s, ${summary.timing.rows_per_second.toLocaleString('en-US')} rows/s`,
    `wrote ${summary.files.join(', ')} to ${outDir}`,
  ].join('\n');
}

export const scoreCommand: Command = {
  name: 'score',
  summary:
    'score a users file with a verified model: ranked predictions, top prospects, rejects, summary, profile',
  usage:
    '--model DIR --input FILE --out-dir DIR [--month YYYY-MM] [--threshold P] [--top N] [--shard i/n] [--suppress FILE] [--max-reject-rate R] [--json]',
  details:
    'Streams the file in constant memory and validates every row against the data contract. Customers with\n' +
    'MarketingOptOut true, or listed in --suppress (one User ID a line), are neither scored nor exported, only\n' +
    'counted. Outputs appear in --out-dir only when the whole run succeeded. Exit 2 on a bad file, a model\n' +
    'that does not match its card, or more rejected rows than --max-reject-rate (default 0.01).',
  options: {
    model: { type: 'string', value: 'DIR', description: 'model directory (model.onnx + card.json)' },
    input: {
      type: 'string',
      value: 'FILE',
      description: 'users CSV (User ID,Age,AnnualSalary,Gender in any order)',
    },
    'out-dir': { type: 'string', value: 'DIR', description: 'where the outputs go' },
    month: {
      type: 'string',
      value: 'YYYY-MM',
      description: 'the month scored (default: the current month, UTC)',
    },
    threshold: {
      type: 'string',
      value: 'P',
      description: "likely-buyer threshold (default: the model card's)",
    },
    top: { type: 'string', value: 'N', description: 'rows in top_prospects.csv (default: the first decile)' },
    shard: {
      type: 'string',
      value: 'i/n',
      description: 'score only shard i of n (by User ID hash); merge with `propensity merge`',
    },
    suppress: { type: 'string', value: 'FILE', description: 'User IDs never to score or export, one a line' },
    'max-reject-rate': {
      type: 'string',
      value: 'R',
      description: 'fail when more than this share of rows is rejected (default 0.01)',
    },
    threads: {
      type: 'string',
      value: 'N',
      description: 'onnxruntime threads (default 1; reading uses the other core)',
    },
    ...jsonOption,
  },
  async run(args) {
    const shard = optionalString(args, 'shard');
    const outDir = requiredString(args, 'out-dir');
    const { summary } = await scoreFile({
      modelDir: requiredString(args, 'model'),
      input: requiredString(args, 'input'),
      outDir,
      month: optionalString(args, 'month'),
      threshold: optionalNumber(args, 'threshold', { min: 0, max: 1 }),
      top: optionalNumber(args, 'top', { integer: true, min: 1 }),
      shard: shard ? parseShard(shard) : undefined,
      suppressFile: optionalString(args, 'suppress'),
      maxRejectRate: optionalNumber(args, 'max-reject-rate', { min: 0, max: 1 }),
      threads: optionalNumber(args, 'threads', { integer: true, min: 1, max: 64 }),
    });
    return { data: summary, text: describeSummary(summary, outDir) };
  },
};

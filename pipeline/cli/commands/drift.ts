import { join } from 'node:path';
import { loadDriftConfig } from '../../drift/config.js';
import { DRIFT_HTML, DRIFT_JSON, referenceSource, runDrift, type ProfileSource } from '../../drift/drift.js';
import { UsageError } from '../../errors.js';
import { jsonOption, optionalString, requiredString, type Command, type ParsedArgs } from '../command.js';

function oneOf(args: ParsedArgs, profileFlag: string, dataFlag: string): { profile?: string; data?: string } {
  const profile = optionalString(args, profileFlag);
  const data = optionalString(args, dataFlag);
  if (profile && data) throw new UsageError(`give --${profileFlag} or --${dataFlag}, not both`);
  if (!profile && !data) throw new UsageError(`--${profileFlag} or --${dataFlag} is required`);
  return { profile, data };
}

export const driftCommand: Command = {
  name: 'drift',
  summary: 'compare a month with the training data (and the previous month): drift.json and drift.html',
  usage:
    '(--reference DIR|PROFILE | --reference-data CSV) (--current PROFILE | --current-data CSV) [--previous PROFILE] --out-dir DIR [--json]',
  details:
    "Tests each column as Evidently's DataDriftPreset does (KS or Wasserstein for numbers, Z, chi-square or Jensen-Shannon\n" +
    'for categories, chosen by reference size) and reports PSI for every column and for the predicted probability.\n' +
    'A model directory as --reference brings its reference profile, its "drift" settings (config.json) and its card;\n' +
    "a profile inside a month folder brings that month's summary.json into the report. Exit code 0 whether or not\n" +
    'the data drifted: read "dataset_drift".',
  options: {
    reference: {
      type: 'string',
      value: 'DIR|PROFILE',
      description: 'a model directory or a profile JSON file',
    },
    'reference-data': {
      type: 'string',
      value: 'CSV',
      description: 'or a users/training CSV to profile as the reference',
    },
    current: { type: 'string', value: 'PROFILE', description: "the month's profile.json" },
    'current-data': {
      type: 'string',
      value: 'CSV',
      description: 'or a users CSV to profile as the current data',
    },
    previous: { type: 'string', value: 'PROFILE', description: "the previous month's profile.json" },
    config: {
      type: 'string',
      value: 'FILE',
      description: "read drift settings from this config.json (default: the model directory's)",
    },
    month: { type: 'string', value: 'YYYY-MM', description: 'the month the report is about (its title)' },
    'out-dir': { type: 'string', value: 'DIR', description: `where ${DRIFT_JSON} and ${DRIFT_HTML} go` },
    ...jsonOption,
  },
  async run(args) {
    const ref = oneOf(args, 'reference', 'reference-data');
    const cur = oneOf(args, 'current', 'current-data');
    const outDir = requiredString(args, 'out-dir');
    const month = optionalString(args, 'month');
    if (month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
      throw new UsageError(`--month must be YYYY-MM, got "${month}"`);
    const reference: ProfileSource = ref.data ? { data: ref.data } : await referenceSource(ref.profile!);
    const current: ProfileSource = cur.data ? { data: cur.data } : { profile: cur.profile! };
    const previousPath = optionalString(args, 'previous');
    const configPath = optionalString(args, 'config');
    const report = await runDrift({
      reference,
      current,
      previous: previousPath ? { profile: previousPath } : undefined,
      outDir,
      config: configPath ? await loadDriftConfig(configPath) : undefined,
      context: month ? { month } : undefined,
    });
    const lines = [
      report.dataset_drift ? 'DATASET DRIFT' : 'no dataset drift',
      `share of drifted columns: ${report.share_drifted.toFixed(3)} (threshold ${report.share_threshold})`,
      ...report.columns.map(
        (c) =>
          `  ${c.name.padEnd(13)} ${c.test.padEnd(13)} statistic ${c.statistic.toPrecision(4).padEnd(10)} ` +
          `p ${c.p_value === null ? '-'.padEnd(10) : c.p_value.toPrecision(4).padEnd(10)} ${c.drift ? 'DRIFT' : 'ok   '} PSI ${c.psi.toFixed(4)} (${c.psi_band})`,
      ),
      ...(report.score ? [`  score PSI ${report.score.psi.toFixed(4)} (${report.score.psi_band})`] : []),
      ...(report.previous
        ? [
            `against the previous month: ${report.previous.dataset_drift ? 'DATASET DRIFT' : 'no dataset drift'}`,
          ]
        : []),
      `wrote ${join(outDir, DRIFT_JSON)} and ${join(outDir, DRIFT_HTML)}`,
    ];
    return { data: report, text: lines.join('\n') };
  },
};

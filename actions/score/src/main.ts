/**
 * The score action: `propensity score` for the whole month or one shard, then the outputs go up as a
 * workflow artifact for the publish job (row-level data stays in artifacts and release assets).
 */
import * as core from '@actions/core';
import { join } from 'node:path';
import { uploadDirectory } from '../../shared/artifacts.js';
import {
  booleanInput,
  monthInput,
  pathInput,
  requiredPathInput,
  shardInput,
  workspace,
  type Shard,
} from '../../shared/inputs.js';
import { propensity } from '../../shared/propensity.js';
import { runMain } from '../../shared/run.js';
import { downloadInput, isUrl } from './input.js';
import { ActionError } from '../../shared/errors.js';

interface Settings {
  input: string;
  inputToken: string | undefined;
  modelDir: string;
  month: string;
  shard: Shard | undefined;
  suppress: string | undefined;
  maxRejectRate: string | undefined;
  outDir: string;
  upload: boolean;
  temp: string;
}

/** The artifact (and directory) name of one shard; publish finds the shards of a month by its prefix. */
export function shardName(month: string, shard: Shard | undefined): string {
  return shard ? `scores-${month}-shard-${shard.index}-of-${shard.count}` : `scores-${month}-shard-0-of-1`;
}

function readSettings(): Settings {
  const month = monthInput('month');
  const shard = shardInput('shard');
  const rawInput = core.getInput('input') || 'data/users/active_users.csv';
  const maxRejectRate = core.getInput('max-reject-rate').trim() || undefined;
  if (maxRejectRate !== undefined && !(Number(maxRejectRate) >= 0 && Number(maxRejectRate) <= 1)) {
    throw new ActionError(`input max-reject-rate must be a share between 0 and 1, got "${maxRejectRate}"`);
  }
  return {
    input: isUrl(rawInput) ? rawInput : (pathInput('input', rawInput) as string),
    inputToken: core.getInput('input-token') || undefined,
    modelDir: requiredPathInput('model-dir', 'model'),
    month,
    shard,
    suppress: pathInput('suppress'),
    maxRejectRate,
    outDir: requiredPathInput('out-dir', join('reports', month, shardName(month, shard))),
    upload: booleanInput('artifact', true),
    temp: join(
      process.env.RUNNER_TEMP ?? workspace(),
      `propensity-score-${process.env.GITHUB_RUN_ID ?? 'local'}`,
    ),
  };
}

/** The part of summary.json (what `propensity score --json` prints) the action reports. */
interface ScoreSummary {
  rows?: { read?: number; scored?: number };
}

function scoredRows(summary: ScoreSummary): number | undefined {
  return summary.rows?.scored;
}

async function run(): Promise<void> {
  const settings = readSettings();
  const input = await core.group('Input', async () =>
    isUrl(settings.input)
      ? downloadInput(settings.input, settings.inputToken, settings.temp)
      : settings.input,
  );
  const summary = await core.group(
    `Score ${settings.month}${settings.shard ? ` shard ${settings.shard.index}/${settings.shard.count}` : ''}`,
    async () => {
      const args = [
        'score',
        '--model',
        settings.modelDir,
        '--input',
        input,
        '--out-dir',
        settings.outDir,
        '--month',
        settings.month,
      ];
      if (settings.shard) args.push('--shard', `${settings.shard.index}/${settings.shard.count}`);
      if (settings.suppress) args.push('--suppress', settings.suppress);
      if (settings.maxRejectRate) args.push('--max-reject-rate', settings.maxRejectRate);
      return (await propensity<ScoreSummary>(args)).data;
    },
  );
  const name = shardName(settings.month, settings.shard);
  if (settings.upload)
    await core.group('Upload the outputs', () => uploadDirectory(name, settings.outDir, 7));
  const rows = scoredRows(summary);
  core.setOutput('artifact-name', settings.upload ? name : '');
  core.setOutput('out-dir', settings.outDir);
  core.setOutput('rows-scored', rows === undefined ? '' : String(rows));
  await core.summary
    .addHeading(
      `Scored ${settings.month}${settings.shard ? `, shard ${settings.shard.index} of ${settings.shard.count}` : ''}`,
      3,
    )
    .addRaw(
      `${rows === undefined ? 'Users' : `${rows.toLocaleString('en-US')} users`} scored; outputs in the artifact \`${name}\`.\n`,
    )
    .write();
}

await runMain(run);

import { mergeShards } from '../../score/merge.js';
import { jsonOption, requiredString, stringList, type Command } from '../command.js';
import { UsageError } from '../../errors.js';
import { describeSummary } from './score.js';

export const mergeCommand: Command = {
  name: 'merge',
  summary: 'combine the outputs of `score --shard i/n` runs into what one unsharded run writes',
  usage: '--inputs DIR [--inputs DIR ...] --out-dir DIR [--json]',
  details:
    'Predictions are re-ranked (k-way merge of the shards, which are already in rank order), rejects merged by\n' +
    'line, counts summed, profiles merged: the same bytes as one run apart from timing. Refuses shards of\n' +
    'different runs, and a shard missing or given twice.',
  options: {
    inputs: {
      type: 'string',
      value: 'DIR',
      multiple: true,
      description: 'output directory of a shard run (once per shard)',
    },
    'out-dir': { type: 'string', value: 'DIR', description: 'where the merged outputs go' },
    ...jsonOption,
  },
  async run(args) {
    const inputs = stringList(args, 'inputs');
    if (inputs.length === 0) throw new UsageError('--inputs is required (once per shard directory)');
    const outDir = requiredString(args, 'out-dir');
    const { summary } = await mergeShards({ inputs, outDir });
    return { data: summary, text: describeSummary(summary, outDir) };
  },
};

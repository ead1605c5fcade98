import { writeStreamAtomic } from '../../io/atomic.js';
import { readDataFile } from '../../data/reader.js';
import { REJECTS_HEADER, rejectLine } from '../../data/rejects.js';
import type { Kind, Reject } from '../../data/schema.js';
import { UsageError } from '../../errors.js';
import { jsonOption, optionalString, requiredString, type Command } from '../command.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a users or training file against the data contract',
  usage: '--input FILE [--kind users|training] [--rejects FILE] [--json]',
  details:
    'Reads the whole file and reports rows read, valid, opted out and rejected (by reason), and the columns it ignores.\n' +
    'Exits 2 when the file itself is unusable (empty, not UTF-8, not comma-separated, a column missing).',
  options: {
    input: { type: 'string', value: 'FILE', description: 'the CSV file to check' },
    kind: { type: 'string', value: 'KIND', description: 'users (default) or training (needs Purchased)' },
    rejects: {
      type: 'string',
      value: 'FILE',
      description: 'write each rejected row with its line and reason here',
    },
    ...jsonOption,
  },
  async run(args) {
    const input = requiredString(args, 'input');
    const kind = (optionalString(args, 'kind') ?? 'users') as Kind;
    if (kind !== 'users' && kind !== 'training')
      throw new UsageError(`--kind must be users or training, got "${kind}"`);
    const rejectsPath = optionalString(args, 'rejects');

    const rejects: Reject[] = [];
    const summary = await readDataFile(input, {
      kind,
      onBatch: (batch) => {
        if (rejectsPath) for (const reject of batch.rejects) rejects.push(reject);
      },
    });
    if (rejectsPath) {
      await writeStreamAtomic(rejectsPath, async (out) => {
        await out.write(REJECTS_HEADER);
        for (const reject of rejects) await out.write(rejectLine(reject));
      });
    }
    const reasons = Object.entries(summary.rejectsByReason).map(([reason, count]) => `  ${reason}: ${count}`);
    const text = [
      `${input} (${kind})`,
      `rows read:  ${summary.rowsRead}`,
      `valid:      ${summary.valid}`,
      `opted out:  ${summary.optedOut}`,
      `rejected:   ${summary.rejected}`,
      ...reasons,
      `duplicate IDs: ${summary.rejectsByReason.duplicate_user_id ?? 0}`,
      `ignored columns: ${summary.extraColumns.length ? summary.extraColumns.join(', ') : 'none'}`,
      ...(rejectsPath ? [`rejects written to ${rejectsPath}`] : []),
    ].join('\n');
    return {
      data: {
        ...summary,
        duplicateIds: summary.rejectsByReason.duplicate_user_id ?? 0,
        rejectsFile: rejectsPath ?? null,
      },
      text,
    };
  },
};

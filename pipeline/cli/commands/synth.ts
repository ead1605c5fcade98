import { writeStreamAtomic } from '../../io/atomic.js';
import {
  DEFAULT_USER_SHAPE,
  POPULATIONS,
  synthHistory,
  synthUsers,
  type Population,
} from '../../data/synth.js';
import { UsageError } from '../../errors.js';
import { progressReporter } from '../../log.js';
import {
  jsonOption,
  numberWithDefault,
  optionalString,
  requiredString,
  type Command,
  type ParsedArgs,
} from '../command.js';

const common = {
  rows: { type: 'string', value: 'N', description: 'how many rows to write' },
  seed: { type: 'string', value: 'S', description: 'random seed (default 1): same arguments, same bytes' },
  out: { type: 'string', value: 'FILE', description: 'where to write the CSV' },
  ...jsonOption,
} as const;

async function writeChunks(
  out: string,
  rows: number,
  chunks: Iterable<string>,
): Promise<{ file: string; rows: number }> {
  const report = progressReporter(`writing ${out}`);
  let written = 0;
  await writeStreamAtomic(out, async (writer) => {
    for (const chunk of chunks) {
      await writer.write(chunk);
      written += 8192;
      report(Math.min(written, rows), rows);
    }
  });
  return { file: out, rows };
}

const rowsAndSeed = (args: ParsedArgs) => ({
  rows: numberWithDefault(args, 'rows', 1000, { integer: true, min: 1 }),
  seed: numberWithDefault(args, 'seed', 1, { integer: true }),
});

export const synthUsersCommand: Command = {
  name: 'synth users',
  summary: 'write synthetic monthly users (User ID,Age,AnnualSalary,Gender)',
  usage:
    '--rows N --seed S --out FILE [--age-shift Y] [--salary-scale F] [--male-share P] [--opt-out-share P]',
  details:
    'By default users are drawn as the original project drew them: age uniform 18..63, salary uniform\n' +
    '15000..152500, gender 50/50. The knobs shift them, to test drift monitoring.',
  options: {
    ...common,
    population: {
      type: 'string',
      value: 'NAME',
      description: 'uniform (default, as the original) or reference',
    },
    'age-shift': { type: 'string', value: 'Y', description: 'years added to every age (default 0)' },
    'salary-scale': { type: 'string', value: 'F', description: 'factor applied to every salary (default 1)' },
    'male-share': { type: 'string', value: 'P', description: 'share of men, 0..1 (default 0.5)' },
    'opt-out-share': {
      type: 'string',
      value: 'P',
      description: 'share with MarketingOptOut=true (default 0: no such column)',
    },
  },
  async run(args) {
    const population = (optionalString(args, 'population') ?? DEFAULT_USER_SHAPE.population) as Population;
    if (!POPULATIONS.includes(population)) {
      throw new UsageError(`--population must be ${POPULATIONS.join(' or ')}, got "${population}"`);
    }
    const shape = {
      ...rowsAndSeed(args),
      population,
      ageShift: numberWithDefault(args, 'age-shift', DEFAULT_USER_SHAPE.ageShift, {
        integer: true,
        min: -50,
        max: 50,
      }),
      salaryScale: numberWithDefault(args, 'salary-scale', DEFAULT_USER_SHAPE.salaryScale, { min: 0 }),
      maleShare: numberWithDefault(args, 'male-share', DEFAULT_USER_SHAPE.maleShare, { min: 0, max: 1 }),
      optOutShare: numberWithDefault(args, 'opt-out-share', DEFAULT_USER_SHAPE.optOutShare, {
        min: 0,
        max: 1,
      }),
    };
    const result = await writeChunks(requiredString(args, 'out'), shape.rows, synthUsers(shape));
    return { data: { ...result, shape }, text: `wrote ${result.rows} users to ${result.file}` };
  },
};

export const synthHistoryCommand: Command = {
  name: 'synth history',
  summary: 'write synthetic labeled history (User ID,Gender,Age,AnnualSalary,Purchased)',
  usage: '--rows N --seed S --out FILE',
  details:
    'Purchase probability follows the public reference data: the rate per age band and salary band, varying\n' +
    'smoothly within a band, about 40% buyers overall.',
  options: common,
  async run(args) {
    const options = rowsAndSeed(args);
    const result = await writeChunks(requiredString(args, 'out'), options.rows, synthHistory(options));
    return {
      data: { ...result, seed: options.seed },
      text: `wrote ${result.rows} labeled rows to ${result.file}`,
    };
  },
};

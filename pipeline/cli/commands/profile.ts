import { writeDataProfilePage } from '../../report/eda.js';
import { jsonOption, requiredString, type Command } from '../command.js';

export const profileCommand: Command = {
  name: 'profile',
  summary:
    'exploratory profile of a data set: data-profile.html (distributions, quality, purchase-rate heatmap)',
  usage: '--data FILE|DIR --out-dir DIR [--json]',
  details:
    'Streams a training (or users) CSV file, or every CSV of a directory, and writes one self-contained HTML page:\n' +
    "each column's distribution, missing and invalid counts, the purchase rate by age band and salary band, and the\n" +
    'correlations. Aggregates only; cells about fewer than 10 customers are hidden.',
  options: {
    data: { type: 'string', value: 'FILE|DIR', description: 'a CSV file or a directory of them' },
    'out-dir': { type: 'string', value: 'DIR', description: 'where data-profile.html goes' },
    ...jsonOption,
  },
  async run(args) {
    const outDir = requiredString(args, 'out-dir');
    const { path, profile } = await writeDataProfilePage(requiredString(args, 'data'), outDir);
    const data = {
      page: path,
      files: profile.files,
      rowsRead: profile.rowsRead,
      valid: profile.valid,
      rejected: profile.rejected,
      optedOut: profile.optedOut,
      labeled: profile.labeled,
      buyers: profile.labeled ? profile.purchased.buyers : null,
    };
    return {
      data,
      text: `profiled ${profile.valid} customers of ${profile.rowsRead} rows; wrote ${path}`,
    };
  },
};

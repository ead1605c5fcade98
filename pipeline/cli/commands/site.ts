import { buildSite } from '../../report/site.js';
import { jsonOption, optionalString, requiredString, type Command } from '../command.js';

export const siteCommand: Command = {
  name: 'site',
  summary: 'build the static Pages site from the monthly folders (aggregates only)',
  usage: '--history DIR --out DIR [--model DIR] [--json]',
  details:
    'DIR holds one folder per month (YYYY-MM/) as `score` and `drift` write them. Writes index.html (latest month and\n' +
    'trends), months/YYYY-MM.html, model.html and how-to-read.html. Only aggregates are read and shown; a figure about\n' +
    'fewer than 10 customers is hidden.',
  options: {
    history: { type: 'string', value: 'DIR', description: 'the folder of month folders (e.g. reports/)' },
    out: { type: 'string', value: 'DIR', description: 'where the site goes' },
    model: {
      type: 'string',
      value: 'DIR',
      description: 'the model directory: card, reference profile, data profile page',
    },
    ...jsonOption,
  },
  async run(args) {
    const out = requiredString(args, 'out');
    const result = await buildSite({
      history: requiredString(args, 'history'),
      out,
      modelDir: optionalString(args, 'model'),
    });
    return {
      data: result,
      text: `site written to ${out}: ${result.pages.length} pages, ${result.months.length} months${result.months.length ? ` (${result.months[0]} to ${result.months[result.months.length - 1]})` : ''}`,
    };
  },
};

/**
 * CARD.md: the model card rendered for people, from the handlebars template `templates/card.md.hbs`.
 * Markdown, not HTML, so values are not HTML-escaped; every value comes from the card itself.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { packageFile } from '../io/package-file.js';
import type { TrainingCard } from './training-card.js';

const TEMPLATE = 'pipeline/model/templates/card.md.hbs';

function engine(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('fixed', (value: unknown, digits: unknown) =>
    typeof value === 'number' && Number.isFinite(value) ? value.toFixed(Number(digits)) : 'n/a',
  );
  hb.registerHelper('pct', (value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) ? `${(100 * value).toFixed(1)}%` : 'n/a',
  );
  hb.registerHelper('short', (value: unknown) => (typeof value === 'string' ? value.slice(0, 12) : ''));
  hb.registerHelper('join', (value: unknown) => (Array.isArray(value) ? value.join(', ') : ''));
  return hb;
}

let compiled: HandlebarsTemplateDelegate | undefined;

export function renderCardMarkdown(card: TrainingCard): string {
  compiled ??= engine().compile(readFileSync(packageFile(TEMPLATE), 'utf8'), {
    noEscape: true,
    strict: false,
  });
  return compiled({ card });
}

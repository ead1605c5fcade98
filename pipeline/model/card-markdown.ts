/**
 * CARD.md: the model card rendered for people, from the handlebars template `templates/card.md.hbs`.
 * Markdown, not HTML, so values are not HTML-escaped; every value comes from the card itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { TrainingCard } from './training-card.js';

const TEMPLATE = 'pipeline/model/templates/card.md.hbs';

/**
 * Finds a file of this package by its path from the package root. The code runs from pipeline/ (tests),
 * from build/ (the bundled CLI) or from actions/<name>/dist/ (bundled actions), so walk up from here to
 * the directory that holds the file.
 */
export function packageFile(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`cannot find ${relative} above ${dirname(fileURLToPath(import.meta.url))}`);
    dir = parent;
  }
}

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

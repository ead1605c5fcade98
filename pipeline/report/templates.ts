/**
 * The handlebars templates of the reports (`templates/*.hbs`, beside this module). They are read at run
 * time, found by walking up from this module's location: that works from the TypeScript sources (tests),
 * from the CLI bundle in `build/` and from an action bundle, as long as the repository is checked out.
 * Handlebars escapes every `{{value}}`; the templates never use triple braces.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const TEMPLATE_DIR = join('pipeline', 'report', 'templates');

function findTemplateDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, TEMPLATE_DIR);
    if (existsSync(candidate)) return candidate;
    // From the sources the templates sit beside this file.
    if (existsSync(join(dir, 'templates', 'layout.hbs'))) return join(dir, 'templates');
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`report templates not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

let instance: typeof Handlebars | undefined;
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** One handlebars instance with every `_*.hbs` file registered as a partial (without the underscore). */
function handlebars(): { hb: typeof Handlebars; dir: string } {
  const dir = findTemplateDir();
  if (!instance) {
    const hb = Handlebars.create();
    for (const file of readdirSync(dir).sort()) {
      if (file.startsWith('_') && file.endsWith('.hbs')) {
        hb.registerPartial(file.slice(1, -4), readFileSync(join(dir, file), 'utf8'));
      }
    }
    hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    instance = hb;
  }
  return { hb: instance, dir };
}

/** Renders `templates/<name>.hbs` with `view` (a view model of strings and numbers, built in code). */
export function renderTemplate(name: string, view: object): string {
  const { hb, dir } = handlebars();
  let template = compiled.get(name);
  if (!template) {
    template = hb.compile(readFileSync(join(dir, `${name}.hbs`), 'utf8'), { strict: false, noEscape: false });
    compiled.set(name, template);
  }
  return template(view);
}

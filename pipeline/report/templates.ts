/**
 * The handlebars templates of the reports (`templates/*.hbs`, beside this module). They are read at run
 * time, found by walking up from this module's location: that works from the TypeScript sources (tests),
 * from the CLI bundle in `build/` and from an action bundle, as long as the repository is checked out.
 * Handlebars escapes every `{{value}}`; the templates never use triple braces.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { packageFile } from '../io/package-file.js';

const TEMPLATE_DIR = 'pipeline/report/templates';

let instance: typeof Handlebars | undefined;
const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** One handlebars instance with every `_*.hbs` file registered as a partial (without the underscore). */
function handlebars(): { hb: typeof Handlebars; dir: string } {
  const dir = packageFile(TEMPLATE_DIR);
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

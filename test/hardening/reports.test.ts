/**
 * What a month run writes, searched: every HTML page carries a Content-Security-Policy and runs nothing;
 * hostile values come out escaped in HTML and neutralized (but intact) in CSV; the site, the reports, the
 * PR-comment Markdown, the committed model card and the logs hold no User ID and no customer's age and
 * salary; a month of fewer than 10 customers shows no figure about them.
 */
import { parse } from 'csv-parse/sync';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTempDir } from '../helpers/tmp.js';
import {
  HOSTILE_FILE_NAME,
  HOSTILE_IDS,
  HOSTILE_REJECTS,
  ID_PREFIX,
  runMonth,
  type MonthRun,
  pairsIn,
} from './month-fixture.js';

const dir = useTempDir('propensity-hardening-reports-');
let month: MonthRun;

beforeAll(async () => {
  month = await runMonth(dir);
}, 120_000);

function filesUnder(root: string, ending: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ending))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const htmlPages = () => [month.reports, month.site, month.eda].flatMap((root) => filesUnder(root, '.html'));

/** What must never hold row-level data, by name. */
function publicTexts(): { name: string; text: string }[] {
  const files = [
    ...filesUnder(month.site, ''),
    ...htmlPages().filter((f) => !f.startsWith(month.site)),
    month.comparisonMarkdown,
    join(month.model, 'CARD.md'),
    join(month.model, 'card.json'),
  ];
  const texts = [...new Set(files)].map((f) => ({ name: relative(dir, f), text: readFileSync(f, 'utf8') }));
  for (const { args, run } of month.runs) {
    texts.push({ name: `stderr of ${args[0]}`, text: run.stderr });
    // `--json` is not used, so stdout is the human summary line: a log too
    texts.push({ name: `stdout of ${args[0]}`, text: run.stdout });
  }
  return texts;
}

const FORMULA = /^[=+\-@\t\r]/;

describe('every HTML page the project writes', () => {
  it('carries a Content-Security-Policy that allows no script, and holds no script, handler or remote load', () => {
    const pages = htmlPages();
    expect(pages.length).toBeGreaterThanOrEqual(10); // 3 drift reports, 6 site pages, the data profile
    for (const page of pages) {
      const html = readFileSync(page, 'utf8');
      const name = relative(dir, page);
      const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
      expect(csp, name).not.toBeNull();
      // in <head>, before anything that could load
      expect(csp!.index, name).toBeLessThan(html.indexOf('<style'));
      expect(csp!.index, name).toBeLessThan(html.indexOf('<body') < 0 ? Infinity : html.indexOf('<body'));
      const policy = csp![1]!;
      expect(policy, name).toMatch(/default-src 'none'/);
      expect(policy, name).not.toMatch(/script-src|unsafe-eval|\*/);
      expect(html, name).not.toMatch(/<script|<iframe|<object|<embed|<link|javascript:/i);
      expect(html, name).not.toMatch(/<[^>]*\son[a-z]+\s*=/i); // no event handler attribute
      expect(html, name).not.toMatch(/\ssrc\s*=\s*["']?(?!data:)/i);
      expect(html, name).not.toMatch(/url\(\s*['"]?(?!data:)|@import/i);
    }
  });

  it('shows a hostile training file name escaped, never as markup', () => {
    const escaped = 'history &lt;img src&#x3D;x onerror&#x3D;alert(7)&gt;';
    const shown = htmlPages().filter((page) => readFileSync(page, 'utf8').includes(escaped));
    expect(shown.map((p) => relative(dir, p))).toEqual(
      expect.arrayContaining(['eda/data-profile.html', 'site/model.html']),
    );
    for (const page of htmlPages()) {
      const html = readFileSync(page, 'utf8');
      expect(html).not.toContain('<img src=x');
      for (const id of HOSTILE_IDS) if (id.includes('<')) expect(html).not.toContain(id);
    }
    expect(readFileSync(join(month.model, 'card.json'), 'utf8')).toContain(JSON.stringify(HOSTILE_FILE_NAME));
  });
});

describe('CSV outputs', () => {
  const csv = (file: string) => parse(readFileSync(file, 'utf8'), { bom: false }) as string[][];

  it('parse back cleanly, and no field starts like a formula', () => {
    for (const m of month.months) {
      for (const name of ['predictions.csv', 'top_prospects.csv', 'rejects.csv']) {
        const [header, ...rows] = csv(join(month.reports, m, name));
        for (const row of rows) {
          expect(row.length, `${m}/${name}`).toBe(header!.length);
          for (const field of row) expect(field, `${m}/${name}`).not.toMatch(FORMULA);
        }
      }
    }
  });

  it('keep every hostile User ID intact, a formula only behind an apostrophe', () => {
    const rows = csv(join(month.reports, '2026-11', 'predictions.csv')).slice(1);
    const ids = new Set(rows.map((r) => r[0]));
    for (const id of HOSTILE_IDS) {
      const expected = /^[=+\-@]/.test(id) ? `'${id}` : id;
      expect(ids.has(expected), JSON.stringify(id.slice(0, 40))).toBe(true);
    }
    expect([...ids].some((id) => id!.length === 10_000)).toBe(true);
  });

  it('write each hostile reject with its reason, the value quoted inside the detail', () => {
    const rows = csv(join(month.reports, '2026-11', 'rejects.csv')).slice(1);
    const byId = new Map(rows.map((r) => [r[1], r]));
    expect(byId.get('CUST-7f3a-r1')?.[2]).toBe('age_not_integer');
    expect(byId.get('CUST-7f3a-r1')?.[3]).toContain('"<script>alert(4)</script>"');
    expect(byId.get('CUST-7f3a-r2')?.[2]).toBe('salary_not_number');
    expect(byId.get('CUST-7f3a-r2')?.[3]).toContain('"=1+1"');
    expect(byId.get('CUST-7f3a-r3')?.[2]).toBe('gender_invalid');
    expect(byId.get('CUST-7f3a-r4')?.[2]).toBe('gender_invalid');
    expect(rows).toHaveLength(HOSTILE_REJECTS.length);
  });

  it('never hold a customer who objected to marketing', () => {
    for (const m of month.months) {
      for (const name of ['predictions.csv', 'top_prospects.csv', 'rejects.csv']) {
        expect(readFileSync(join(month.reports, m, name), 'utf8')).not.toContain(`${ID_PREFIX}-optout`);
      }
    }
  });
});

describe('privacy: what is published or logged holds no customer', () => {
  it('no User ID in the site, reports, comparison Markdown, model card or logs', () => {
    const texts = publicTexts();
    expect(texts.length).toBeGreaterThan(15);
    // the IDs are really in the row-level outputs, so the search below can find them
    expect(readFileSync(join(month.reports, '2026-11', 'predictions.csv'), 'utf8')).toContain(ID_PREFIX);
    for (const { name, text } of texts) {
      expect(text, name).not.toContain(ID_PREFIX);
      for (const id of HOSTILE_IDS.filter((i) => i.length > 6)) expect(text, name).not.toContain(id);
    }
  });

  it("no customer's age and salary together (salaries end in 7, so they are recognisable)", () => {
    const someone = month.customers[42]!;
    const salary = someone.salary.toLocaleString('en-US');
    expect(pairsIn(`| ${someone.age} | Male | ${salary} |`, [someone])).toEqual([someone]); // the search works
    for (const { name, text } of publicTexts()) {
      expect(
        pairsIn(text, month.customers).map((c) => `${c.age} ${c.salary}`),
        name,
      ).toEqual([]);
    }
  });

  it('a malformed file is refused without quoting the offending row in the log', async () => {
    const { runCli } = await import('../helpers/cli.js');
    const { writeFixture } = await import('../helpers/tmp.js');
    const bad = writeFixture(
      dir,
      'malformed.csv',
      `User ID,Age,AnnualSalary,Gender\n${ID_PREFIX}01,30,10007,Male\n${ID_PREFIX}02"x,31,20007,Female\n`,
    );
    for (const command of [
      ['validate', '--input', bad],
      ['score', '--model', month.model, '--input', bad, '--out-dir', join(dir, 'malformed-out')],
    ]) {
      const run = await runCli(command);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(/not well-formed CSV at line 3/);
      expect(run.stderr).not.toContain(ID_PREFIX);
      expect(run.stderr).not.toContain('20007');
    }
  });
});

describe('a month of fewer than 10 customers', () => {
  const text = (file: string) =>
    readFileSync(file, 'utf8')
      .replace(/<style>[\s\S]*?<\/style>/g, '')
      .replace(/<svg[\s\S]*?<\/svg>/g, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/\s+/g, ' ');

  it('shows its counts as "< 10" and no figure computed from its customers, in the report and the site', () => {
    const tiny = month.tinyMonth;
    const summary = JSON.parse(readFileSync(join(month.reports, tiny, 'summary.json'), 'utf8'));
    expect(summary.rows.scored).toBe(6);
    const scores = readFileSync(join(month.reports, tiny, 'predictions.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',')[1]));
    expect(scores).toHaveLength(6);
    for (const page of [
      join(month.reports, tiny, 'drift.html'),
      join(month.site, 'months', `${tiny}.html`),
    ]) {
      const shown = text(page);
      const name = relative(dir, page);
      expect(shown, name).toMatch(/Rows read < 10 · scored < 10/);
      expect(shown, name).not.toMatch(/expected buyers \d/i);
      // each decile row: "< 10" customers, then no range, mean or expected conversions
      expect(shown, name).toMatch(/Decile Customers[\s\S]*< 10 — — —/);
      expect(shown, name).not.toMatch(/< 10 \d\.\d/);
      // no customer's own score, to the 3 decimals the pages show
      for (const p of scores) expect(shown, `${name}: score ${p}`).not.toContain(p.toFixed(3));
    }
    const index = text(join(month.site, 'index.html'));
    expect(index).toMatch(new RegExp(`${tiny} < 10 `));
    expect(index).not.toMatch(/Expected buyers: \d/);
  });
});

/** Month folders, profiles and summaries for the report and site tests, generated from synthetic users. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_USER_SHAPE, synthUsers, type UserShape } from '../../pipeline/data/synth.js';
import { parseGender } from '../../pipeline/data/schema.js';
import { computeDrift, type DriftReport } from '../../pipeline/drift/drift.js';
import { DEFAULT_DRIFT_CONFIG } from '../../pipeline/drift/config.js';
import { ProfileBuilder, type Profile } from '../../pipeline/drift/profile.js';
import type { ModelCard } from '../../pipeline/model/card.js';

export const XSS = '<script>alert(1)</script>';
export const XSS_IMG = '<img src=x onerror=alert(2)>';

/** A stand-in model: a logistic curve in age and salary, so profiles carry probabilities. */
export function probability(age: number, salary: number): number {
  return 1 / (1 + Math.exp(-(0.2 * (age - 42) + (salary - 80000) / 20000)));
}

export interface Month {
  profile: Profile;
  /** What a scorer's summary.json holds (pipeline/score/summary.ts), computed from the same rows. */
  summary: Record<string, unknown>;
  ids: string[];
}

export function month(
  shape: Partial<UserShape> & { rows: number; seed: number },
  label = '2026-11',
  threshold = 0.5,
): Month {
  const builder = new ProfileBuilder({ withProbability: true });
  const rows: { id: string; p: number; gender: string }[] = [];
  for (const chunk of synthUsers({ ...DEFAULT_USER_SHAPE, ...shape })) {
    for (const line of chunk.split('\n')) {
      const [id, age, salary, gender] = line.split(',');
      if (!id || id === 'User ID') continue;
      const p = probability(Number(age), Number(salary));
      builder.addRow(Number(age), Number(salary), parseGender(gender!)!, p);
      rows.push({ id: `CUST-${id}`, p, gender: gender! });
    }
  }
  rows.sort((a, b) => b.p - a.p);
  const deciles = Array.from({ length: 10 }, (_, d) => {
    const part = rows.filter((_, i) => Math.floor((i * 10) / rows.length) === d);
    return {
      decile: d + 1,
      customers: part.length,
      expected_buyers: part.reduce((t, r) => t + r.p, 0),
      min_probability: part.length ? part[part.length - 1]!.p : null,
      max_probability: part.length ? part[0]!.p : null,
      likely_buyers: part.filter((r) => r.p >= threshold).length,
    };
  });
  const byGender = Object.fromEntries(
    ['Female', 'Male'].map((g) => {
      const part = rows.filter((r) => r.gender === g);
      const likely = part.filter((r) => r.p >= threshold).length;
      return [
        g,
        {
          scored: part.length,
          likely_buyers: likely,
          selection_rate: part.length ? likely / part.length : null,
        },
      ];
    }),
  );
  const rates = Object.values(byGender).map((g) => g.selection_rate ?? 0);
  return {
    profile: builder.toJSON(),
    ids: rows.map((r) => r.id),
    summary: {
      format: 'propensity-score-summary/1',
      month: label,
      rows: { read: rows.length, scored: rows.length, rejected: 0, opted_out: 0 },
      expected_buyers: rows.reduce((t, r) => t + r.p, 0),
      likely_buyers: rows.filter((r) => r.p >= threshold).length,
      deciles,
      fairness: { by_gender: byGender, selection_rate_ratio: Math.min(...rates) / Math.max(...rates) },
    },
  };
}

export const CARD: ModelCard = {
  version: 3,
  replaces: null,
  created_by: 'test',
  model: {
    file: 'model.onnx',
    sha256: 'a'.repeat(64),
    learner: 'logistic',
    params: {},
    features: ['Age', 'AnnualSalary', 'Gender'],
    threshold: 0.5,
  },
  data: { sha256: 'b'.repeat(64), rows: 1000, files: ['history.csv'] },
  holdout: { auc: 0.95, accuracy: 0.9, logloss: 0.25, brier: 0.08 },
};

/** Writes a history folder of months (each with profile.json, summary.json, drift.json and a row-level file). */
export function writeHistory(dir: string, reference: Profile, months: [string, Month][]): DriftReport[] {
  const reports: DriftReport[] = [];
  months.forEach(([name, m], i) => {
    const folder = join(dir, name);
    mkdirSync(folder, { recursive: true });
    const previous = months[i - 1];
    const report = computeDrift(
      { profile: reference, label: 'reference-profile.json' },
      { profile: m.profile, label: `${name}/profile.json` },
      DEFAULT_DRIFT_CONFIG,
      previous ? { profile: previous[1].profile, label: `${previous[0]}/profile.json` } : undefined,
    );
    writeFileSync(join(folder, 'profile.json'), JSON.stringify(m.profile));
    writeFileSync(join(folder, 'summary.json'), JSON.stringify(m.summary));
    writeFileSync(join(folder, 'drift.json'), JSON.stringify(report));
    // Row-level output that must never reach the site.
    writeFileSync(
      join(folder, 'predictions.csv'),
      'User ID,probability\n' + m.ids.map((id) => `${id},0.5`).join('\n'),
    );
    reports.push(report);
  });
  return reports;
}

export function writeModelDir(dir: string, reference: Profile, card: ModelCard = CARD): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'reference-profile.json'), JSON.stringify(reference));
  writeFileSync(join(dir, 'card.json'), JSON.stringify(card));
}

/**
 * What leaving out the protected attribute costs: per candidate learner, its best family with Gender
 * against its best family without, in ROC-AUC. Lending rules (US ECOA/Reg B) forbid using sex on a
 * prohibited basis, so the card and the evaluation show this trade-off in one line per learner.
 */
import type { FeatureName } from '../model/card.js';

export interface FamilyScore {
  /** `<candidate>/<feature set>`. */
  family: string;
  features: readonly FeatureName[];
  auc: number;
}

export interface GenderCost {
  candidate: string;
  withGender: number;
  withoutGender: number;
  /** withGender - withoutGender: positive when dropping Gender loses ranking quality. */
  aucCost: number;
}

export function genderCost(families: readonly FamilyScore[]): GenderCost[] {
  const byCandidate = new Map<string, { with?: number; without?: number }>();
  for (const f of families) {
    const candidate = f.family.split('/')[0]!;
    const entry = byCandidate.get(candidate) ?? {};
    const key = f.features.includes('Gender') ? 'with' : 'without';
    entry[key] = Math.max(entry[key] ?? -Infinity, f.auc);
    byCandidate.set(candidate, entry);
  }
  return [...byCandidate].flatMap(([candidate, e]) =>
    e.with === undefined || e.without === undefined
      ? []
      : [{ candidate, withGender: e.with, withoutGender: e.without, aucCost: e.with - e.without }],
  );
}

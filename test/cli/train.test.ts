import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthHistory } from '../../pipeline/data/synth.js';
import { readProfile } from '../../pipeline/drift/profile.js';
import { compareModels } from '../../pipeline/learn/compare.js';
import { parseConfig } from '../../pipeline/learn/config.js';
import { renderComparisonMarkdown } from '../../pipeline/learn/compare-markdown.js';
import { loadVerifiedModel, sha256 } from '../../pipeline/model/card.js';
import type { TrainingCard } from '../../pipeline/model/training-card.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir, writeFixture } from '../helpers/tmp.js';

const tmp = useTempDir('train-cli-');

/** A quick search: enough to exercise every family, the Gender-less variant and early stopping. */
const CONFIG = {
  features: ['Age', 'AnnualSalary', 'Gender'],
  feature_sets: [
    { name: 'all', features: ['Age', 'AnnualSalary', 'Gender'] },
    { name: 'no_gender', features: ['Age', 'AnnualSalary'] },
  ],
  candidates: [
    { name: 'logistic', learner: 'logistic', grid: { C: [1] } },
    { name: 'tree', learner: 'tree', grid: { max_depth: [3, 5] }, fixed: { min_samples_leaf: 5 } },
    {
      name: 'gbt',
      learner: 'gbt',
      grid: { max_depth: [2] },
      fixed: { n_estimators: 40, learning_rate: 0.1, early_stopping_rounds: 10 },
    },
  ],
  cv: { folds: 3, repeats: 1 },
  seed: 11,
  holdout_share: 0.25,
  promotion: { min_auc_gain: 0.001, max_logloss_increase: 0.02, min_fairness_ratio: 0.8 },
  drift: {},
};

const history = (rows: number, seed: number) => [...synthHistory({ rows, seed })].join('');
let data: string;
let configPath: string;

async function train(out: string, extra: string[] = [], dataPath = data) {
  const run = await runCli([
    'train',
    '--data',
    dataPath,
    '--config',
    configPath,
    '--out',
    out,
    '--json',
    ...extra,
  ]);
  expect(run.stderr).not.toContain('unexpected failure');
  expect(run.code).toBe(0);
  return run;
}

beforeAll(() => {
  data = writeFixture(tmp, 'history.csv', history(600, 31));
  configPath = writeFixture(tmp, 'config.json', JSON.stringify(CONFIG));
});

describe('propensity train', () => {
  it('writes the model directory, with progress on stderr and a byte-identical model.onnx on a rerun', async () => {
    const first = await train(join(tmp, 'a'), ['--champion', join(tmp, 'none')]);
    const second = await train(join(tmp, 'b'), ['--champion', join(tmp, 'none')]);
    expect(first.stderr).toMatch(/training on \d+ customers/);
    expect(JSON.parse(first.stdout)).toMatchObject({ version: 1, replaces: null });
    const a = readFileSync(join(tmp, 'a', 'model.onnx'));
    expect(a.equals(readFileSync(join(tmp, 'b', 'model.onnx')))).toBe(true);
    expect(readFileSync(join(tmp, 'a', 'card.json'), 'utf8')).toBe(
      readFileSync(join(tmp, 'b', 'card.json'), 'utf8'),
    );
    expect(second.code).toBe(0);
  });

  it('writes a card that matches the model and says how it was chosen and how fair it is', async () => {
    const loaded = await loadVerifiedModel(join(tmp, 'a'));
    const card = loaded.card as TrainingCard;
    expect(card.model.sha256).toBe(sha256(loaded.onnx));
    expect(card.data.sha256).toBe(sha256(readFileSync(data)));
    expect(card.data).toMatchObject({ rows: 600, files: ['history.csv'] });
    expect(card.data.training_rows + card.data.holdout_rows).toBe(600);
    expect(card.holdout.n).toBe(card.data.holdout_rows);
    for (const key of ['auc', 'accuracy', 'precision', 'recall', 'f1', 'logloss', 'brier'] as const) {
      expect(Number.isFinite(card.holdout[key])).toBe(true);
    }
    const { tp, fp, tn, fn } = card.holdout.confusion;
    expect(tp + fp + tn + fn).toBe(card.holdout.n);
    expect(card.holdout.calibration.reduce((n, bin) => n + bin.count, 0)).toBe(card.holdout.n);
    expect(card.cv.auc.sd).toBeGreaterThan(0);
    expect(card.candidates.map((c) => c.family)).toEqual([
      'logistic/all',
      'logistic/no_gender',
      'tree/all',
      'tree/no_gender',
      'gbt/all',
      'gbt/no_gender',
    ]);
    expect(card.fairness.ratio).toBeGreaterThan(0);
    expect(card.fairness.flagged).toBe(card.fairness.ratio! < 0.8);
    expect(card.feature_schema.map((f) => f.name)).toEqual(card.model.features);
    expect(card.intended_use).toMatch(/not a credit decision/);

    const markdown = readFileSync(join(tmp, 'a', 'CARD.md'), 'utf8');
    expect(markdown).toContain('# Model card: car-purchase propensity, version 1');
    expect(markdown).toContain(`| ROC-AUC | ${card.holdout.auc.toFixed(4)} |`);
    expect(markdown).toContain(card.model.setting);
    expect(markdown).not.toContain('&#x3D;');

    const profile = await readProfile(join(tmp, 'a', 'reference-profile.json'));
    expect(profile.rows).toBe(600);
    expect(readFileSync(join(tmp, 'a', 'config.json'), 'utf8')).toBe(readFileSync(configPath, 'utf8'));
  });

  it('numbers a retrain one more than its champion and records the champion it replaces', async () => {
    const run = await train(join(tmp, 'c'), ['--champion', join(tmp, 'a')]);
    const champion = await loadVerifiedModel(join(tmp, 'a'));
    expect(JSON.parse(run.stdout)).toMatchObject({ version: 2, replaces: champion.card.model.sha256 });
  });

  it('refuses a bad configuration with exit code 2 and the field named', async () => {
    const bad = writeFixture(
      tmp,
      'bad.json',
      JSON.stringify({
        ...CONFIG,
        candidates: [CONFIG.candidates[0], { name: 'tree', learner: 'tree', grid: { max_depth: [0] } }],
      }),
    );
    const run = await runCli(['train', '--data', data, '--config', bad, '--out', join(tmp, 'bad')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'candidates[1].grid.max_depth must be a list of whole numbers >= 1, got [0]',
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('propensity compare', () => {
  it('judges two trained models on the same holdout, with paired tests, a verdict and the Markdown', async () => {
    const grown = writeFixture(
      tmp,
      'grown.csv',
      history(600, 31) +
        history(400, 32)
          .split('\n')
          .slice(1)
          .map((l) => (l ? `n${l}` : l))
          .join('\n'),
    );
    await train(join(tmp, 'challenger'), ['--champion', join(tmp, 'a')], grown);
    const markdownPath = join(tmp, 'comment.md');
    const run = await runCli([
      'compare',
      '--champion',
      join(tmp, 'a'),
      '--challenger',
      join(tmp, 'challenger'),
      '--data',
      grown,
      '--json',
      '--markdown',
      markdownPath,
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.holdout.rows).toBeGreaterThan(150);
    expect(typeof result.verdict.promote).toBe('boolean');
    expect(result.verdict.reasons.length).toBeGreaterThan(0);
    expect(result.deltas.auc).toBeCloseTo(result.challenger.metrics.auc - result.champion.metrics.auc, 12);
    expect(result.tests.auc.difference).toBeCloseTo(result.deltas.auc, 12);
    expect(result.tests.accuracy.onlyB - result.tests.accuracy.onlyA).toBe(
      Math.round(result.deltas.accuracy * result.holdout.rows),
    );
    const markdown = readFileSync(markdownPath, 'utf8');
    expect(markdown).toContain(
      result.verdict.promote ? 'Verdict: promote the challenger' : 'Verdict: keep the champion',
    );
    expect(markdown).toContain('```mermaid\nxychart-beta');
    expect(markdown).toContain('DeLong');
    expect(markdown).toContain('McNemar');
  });

  it('promotes a clearly better challenger: boosted trees over a logistic-only champion', async () => {
    const logisticOnly = writeFixture(
      tmp,
      'logistic.json',
      JSON.stringify({ ...CONFIG, candidates: [CONFIG.candidates[0]] }),
    );
    const weak = join(tmp, 'weak');
    const run = await runCli(['train', '--data', data, '--config', logisticOnly, '--out', weak]);
    expect(run.code).toBe(0);
    const result = await compareModels({ championDir: weak, challengerDir: join(tmp, 'a'), dataPath: data });
    // Judged on a larger holdout than they kept, both trained on some of the customers: say so.
    const wider = await compareModels({
      championDir: weak,
      challengerDir: join(tmp, 'a'),
      dataPath: data,
      config: { ...parseConfig(CONFIG), holdout_share: 0.4 },
    });
    expect(wider.warnings).toHaveLength(2);
    expect(wider.warnings[0]).toContain('the champion kept a holdout share of 0.25, smaller than 0.4');
    expect(result.deltas.auc).toBeGreaterThan(0.01);
    expect(result.tests.auc.ci95[0]).toBeGreaterThan(0);
    expect(result.verdict.checks.find((c) => c.name === 'auc_gain')!.passed).toBe(true);
    expect(result.verdict.promote).toBe(result.verdict.checks.every((c) => c.passed));
  });

  it('as a library: a model against itself shows no difference and is not promoted', async () => {
    const result = await compareModels({
      championDir: join(tmp, 'a'),
      challengerDir: join(tmp, 'a'),
      dataPath: data,
    });
    expect(result.deltas.auc).toBe(0);
    expect(result.tests.auc.pValue).toBe(1);
    expect(result.tests.accuracy).toMatchObject({ onlyA: 0, onlyB: 0, pValue: 1 });
    expect(result.verdict.promote).toBe(false);
    expect(result.verdict.checks.find((c) => c.name === 'auc_gain')!.passed).toBe(false);
    expect(result.warnings).toEqual([]);
    expect(renderComparisonMarkdown(result)).toContain('Verdict: keep the champion');
  });

  it('refuses a model whose bytes do not match its card', async () => {
    const dir = join(tmp, 'a');
    const original = readFileSync(join(dir, 'model.onnx'));
    const copy = join(tmp, 'tampered');
    await runCli(['train', '--data', data, '--config', configPath, '--out', copy]);
    writeFileSync(join(copy, 'model.onnx'), Buffer.concat([original, Buffer.from([0])]));
    const run = await runCli(['compare', '--champion', dir, '--challenger', copy, '--data', data]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('does not match its card');
  });
});

describe('propensity evaluate', () => {
  it('prints the nested-CV figures of the selected pipeline and of each family', async () => {
    const run = await runCli(['evaluate', '--data', data, '--config', configPath, '--cv', '2x1', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    for (const key of ['auc', 'accuracy', 'logloss', 'brier', 'auc_sd'])
      expect(typeof result.selected[key]).toBe('number');
    expect(result.selected.auc).toBeGreaterThan(0.8);
    expect(result.candidates).toHaveLength(6);
    expect(result.candidates[0]).toMatchObject({ name: 'logistic/all' });
    expect(result.protocol).toMatchObject({ outerFolds: 2, outerRepeats: 1, innerFolds: 3 });
    expect(run.stderr).toContain('outer fold 2/2');
  });

  it('refuses a malformed --cv with exit code 2', async () => {
    const run = await runCli(['evaluate', '--data', data, '--config', configPath, '--cv', '5by5']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--cv must be FOLDSxREPEATS');
  });
});

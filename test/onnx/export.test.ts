import { describe, expect, it } from 'vitest';
import type { UserRecord } from '../../pipeline/data/schema.js';
import { createLearner, LEARNER_FAMILIES, type LearnerFamily } from '../../pipeline/learn/learners.js';
import { matrixFromRecords, type FittedModel } from '../../pipeline/learn/learner.js';
import type { TreeEnsemble } from '../../pipeline/learn/tree-model.js';
import type { FeatureName } from '../../pipeline/model/card.js';
import { thresholdGrid } from '../../pipeline/onnx/compile-trees.js';
import { exportPipelineOnnx, type ExportOptions } from '../../pipeline/onnx/export.js';
import { onnx } from '../../pipeline/onnx/proto.js';
import { loadOnnxSession, predictOnnx } from '../../pipeline/onnx/run.js';
import { createRng } from '../../pipeline/random.js';
import { ALL_FEATURES, syntheticRecords } from '../learn/synthetic.js';

const NO_GENDER: readonly FeatureName[] = ['Age', 'AnnualSalary'];
const TRAINING = syntheticRecords(1000, 51);
const LABELS = Uint8Array.from(TRAINING.map((r) => r.purchased));
const METADATA = { model_version: '3', training_data_sha256: 'ab'.repeat(32) };

function fit(family: LearnerFamily, features: readonly FeatureName[], seed = 7): FittedModel {
  const params: Record<string, number> = family === 'gbt' ? { subsample: 0.8 } : {};
  return createLearner(family, params).fit(matrixFromRecords(TRAINING, features), LABELS, seed);
}

/** The training rows, the contract's extremes, and customers sitting exactly on (and just under) thresholds. */
function probeRecords(model: FittedModel): UserRecord[] {
  const rng = createRng(3);
  const records: UserRecord[] = [...TRAINING];
  let id = 0;
  const add = (age: number, salary: number, gender: 'Male' | 'Female'): void => {
    records.push({ userId: `probe-${id++}`, age, salary, gender });
  };
  for (const gender of ['Male', 'Female'] as const) {
    for (const age of [18, 19, 63, 64, 100])
      for (const salary of [0, 1, 15000, 152500, 1e7, 1e9]) add(age, salary, gender);
  }
  if (model.structure.kind === 'trees') {
    const grid = thresholdGrid(model.structure, model.features.length);
    grid.thresholds.forEach((thresholds, f) => {
      for (const t of thresholds) {
        const below = new Float32Array([t]);
        new Int32Array(below.buffer)[0]! -= 1;
        for (const v of [t, below[0]!]) {
          const base = TRAINING[rng.int(0, TRAINING.length - 1)]!;
          const feature = model.features[f];
          add(
            feature === 'Age' ? v : base.age,
            feature === 'AnnualSalary' ? v : base.salary,
            feature === 'Gender' ? (v >= 0.5 ? 'Male' : 'Female') : base.gender,
          );
        }
      }
    });
  }
  return records;
}

async function maxDifference(model: FittedModel, options: ExportOptions = {}): Promise<number> {
  const records = probeRecords(model);
  const session = await loadOnnxSession(exportPipelineOnnx(model, METADATA, options));
  const { probability, label } = await predictOnnx(session, records);
  const expected = model.predictProba(matrixFromRecords(records, model.features));
  expect(probability).toHaveLength(records.length);
  let max = 0;
  for (let i = 0; i < records.length; i++) {
    max = Math.max(max, Math.abs(probability[i]! - expected[i]!));
    expect(label[i]).toBe(probability[i]! >= 0.5 ? 1n : 0n);
  }
  return max;
}

function treeNodes(bytes: Uint8Array): number {
  const graph = onnx.ModelProto.decode(bytes).graph!;
  const ensemble = graph.node!.find((n) => n.opType === 'TreeEnsembleRegressor')!;
  return ensemble.attribute!.find((a) => a.name === 'nodes_nodeids')!.ints!.length;
}

describe('exportPipelineOnnx', () => {
  for (const family of LEARNER_FAMILIES) {
    for (const features of [ALL_FEATURES, NO_GENDER]) {
      it(`${family} on ${features.join('+')}: onnxruntime's probabilities equal predictProba`, async () => {
        expect(await maxDifference(fit(family, features))).toBeLessThanOrEqual(1e-5);
      });
    }
  }

  it('the boosted ensemble exported tree by tree (grid too large) also matches', async () => {
    const model = fit('gbt', ALL_FEATURES);
    expect(await maxDifference(model, { maxGridCells: 1 })).toBeLessThanOrEqual(1e-5);
    const ensemble = model.structure as TreeEnsemble;
    const plain = treeNodes(exportPipelineOnnx(model, METADATA, { maxGridCells: 1 }));
    expect(plain).toBe(ensemble.trees.reduce((s, t) => s + t.feature.length, 0));
    expect(treeNodes(exportPipelineOnnx(model, METADATA))).not.toBe(plain);
  });

  it('has the raw columns as inputs and label/probability as outputs; no Gender input without Gender', async () => {
    const withGender = await loadOnnxSession(exportPipelineOnnx(fit('logistic', ALL_FEATURES), METADATA));
    expect([...withGender.inputNames]).toEqual(['Age', 'AnnualSalary', 'Gender']);
    expect([...withGender.outputNames]).toEqual(['label', 'probability']);
    const without = await loadOnnxSession(exportPipelineOnnx(fit('gbt', NO_GENDER), METADATA));
    expect([...without.inputNames]).toEqual(['Age', 'AnnualSalary']);
    const out = await predictOnnx(without, TRAINING.slice(0, 5));
    expect(out.probability).toHaveLength(5);
  });

  it('encodes Gender inside the graph, whatever its case', async () => {
    const model = fit('logistic', ALL_FEATURES);
    const session = await loadOnnxSession(exportPipelineOnnx(model, METADATA));
    const at = (gender: string) => ({ userId: '1', age: 40, salary: 70000, gender }) as unknown as UserRecord;
    const { probability } = await predictOnnx(session, ['Male', 'male', 'MALE', 'Female', 'female'].map(at));
    const expected = model.predictProba(matrixFromRecords([at('Male'), at('Female')], ALL_FEATURES));
    expect(probability[0]).toBeCloseTo(expected[0]!, 5);
    expect(probability[1]).toBe(probability[0]);
    expect(probability[2]).toBe(probability[0]);
    expect(probability[3]).toBeCloseTo(expected[1]!, 5);
    expect(probability[4]).toBe(probability[3]);
    expect(probability[0]).not.toBe(probability[3]);
  });

  it('gives byte-identical files for the same model, and for the same data and seed', () => {
    for (const family of LEARNER_FAMILIES) {
      const model = fit(family, ALL_FEATURES);
      const first = exportPipelineOnnx(model, METADATA);
      expect(Buffer.from(exportPipelineOnnx(model, { ...METADATA })).equals(first)).toBe(true);
      expect(Buffer.from(exportPipelineOnnx(fit(family, ALL_FEATURES), METADATA)).equals(first)).toBe(true);
    }
    const other = exportPipelineOnnx(fit('gbt', ALL_FEATURES, 8), METADATA);
    expect(Buffer.from(other).equals(exportPipelineOnnx(fit('gbt', ALL_FEATURES), METADATA))).toBe(false);
  });

  it('records version, features, data hash, learner and parameters; declares its opsets', () => {
    const model = fit('gbt', NO_GENDER);
    const decoded = onnx.ModelProto.decode(exportPipelineOnnx(model, METADATA));
    expect(Number(decoded.irVersion)).toBe(8);
    const opsets = Object.fromEntries(decoded.opsetImport.map((o) => [o.domain, Number(o.version)]));
    expect(opsets).toEqual({ '': 17, 'ai.onnx.ml': 3 });
    const props = Object.fromEntries(decoded.metadataProps.map((p) => [p.key, p.value]));
    expect(props).toMatchObject({ ...METADATA, learner: 'gbt', features: 'Age,AnnualSalary' });
    expect(JSON.parse(props.params!)).toEqual(model.params);
    expect(decoded.metadataProps.map((p) => p.key)).toEqual(
      [...decoded.metadataProps.map((p) => p.key)].sort(),
    );
  });
});

// Figures for the learners and the ONNX export (a benchmark, not a test): fit times, the compiled grid of
// a boosted model, and onnxruntime scoring speed with the compiled tree vs the plain ensemble.
//   npx tsx scripts/bench-learners.ts [--data TRAINING.csv] [--rows 1000000]
// Without --data it uses the project's synthetic history (1000 rows). Times are CPU milliseconds (medians),
// which a busy machine disturbs less than wall-clock time.
import * as ort from 'onnxruntime-node';
import { parseArgs } from 'node:util';
import { readAll } from '../pipeline/data/reader.js';
import { synthHistoryRecords } from '../pipeline/data/synth.js';
import { matrixFromRecords, selectRows, type FittedModel } from '../pipeline/learn/learner.js';
import { createLearner, LEARNER_FAMILIES } from '../pipeline/learn/learners.js';
import { nodeCount } from '../pipeline/learn/tree-model.js';
import { compileEnsemble, thresholdGrid, treeDepth } from '../pipeline/onnx/compile-trees.js';
import { exportPipelineOnnx } from '../pipeline/onnx/export.js';
import { onnxFeeds } from '../pipeline/onnx/run.js';
import { createRng } from '../pipeline/random.js';

const { values: args } = parseArgs({
  options: { data: { type: 'string' }, rows: { type: 'string', default: '1000000' } },
});

function cpuMedian(runs: number, work: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.cpuUsage();
    work();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const records = args.data
  ? (await readAll(args.data, 'training')).records
  : synthHistoryRecords({ rows: 1000, seed: 20240101 });
const features = ['Age', 'AnnualSalary', 'Gender'] as const;
const x = matrixFromRecords(records, features);
const y = Uint8Array.from(records.map((r) => r.purchased));
const trainRows = Array.from({ length: Math.round(records.length * 0.8) }, (_, i) => i);
const xTrain = selectRows(x, trainRows);
const yTrain = y.slice(0, trainRows.length);
console.log(
  `data: ${args.data ?? 'synthetic history'} (${records.length} rows); fits on ${trainRows.length} rows`,
);
console.log('\nfit, CPU ms (median of 15), default parameters:');
const models: Record<string, FittedModel> = {};
for (const family of LEARNER_FAMILIES) {
  const learner = createLearner(family);
  console.log(`  ${family.padEnd(9)} ${cpuMedian(15, () => learner.fit(xTrain, yTrain, 1)).toFixed(1)}`);
  models[family] = learner.fit(x, y, 1);
}

const gbt = models.gbt!;
if (gbt.structure.kind === 'trees') {
  const grid = thresholdGrid(gbt.structure, features.length);
  const compiled = compileEnsemble(gbt.structure, features.length);
  console.log(
    `\ngbt on all ${records.length} rows: ${gbt.structure.trees.length} trees, ${nodeCount(gbt.structure)} nodes`,
  );
  console.log(
    `  thresholds per feature ${grid.thresholds.map((t) => t.length).join(' x ')} -> grid of ${grid.cells} cells`,
  );
  if (compiled) {
    console.log(
      `  compiled: one tree of ${compiled.trees[0]!.feature.length} nodes, depth ${treeDepth(compiled.trees[0]!)}`,
    );
  }
}

const rows = Number(args.rows);
const rng = createRng(7);
const batch = Array.from({ length: rows }, (_, i) => {
  const age = rng.int(18, 63);
  const salary = rng.int(30, 305) * 500;
  const gender = rng.next() < 0.5 ? ('Male' as const) : ('Female' as const);
  return { userId: String(i), age, salary, gender };
});
console.log(`\nonnxruntime, ${rows} rows, 1 thread, wall ms (median of 3):`);
const variants: [string, FittedModel, { maxGridCells?: number }][] = [
  ['logistic', models.logistic!, {}],
  ['tree', models.tree!, {}],
  ['gbt compiled', gbt, {}],
  ['gbt plain', gbt, { maxGridCells: 0 }],
];
for (const [name, model, options] of variants) {
  const bytes = exportPipelineOnnx(model, {}, options);
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const feeds = onnxFeeds(batch, session.inputNames);
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    await session.run(feeds);
    times.push(performance.now() - start);
  }
  console.log(
    `  ${name.padEnd(13)} ${times
      .sort((a, b) => a - b)[1]!
      .toFixed(0)
      .padStart(6)}   (${bytes.length} bytes)`,
  );
}

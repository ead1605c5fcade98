/**
 * Exports a fitted model as one self-contained ONNX graph (design.md, "The model artifact"):
 *
 *   inputs   Age float [N,1], AnnualSalary float [N,1], Gender string [N,1]   (only the model's features)
 *   Gender   ai.onnx.ml LabelEncoder: Male 1, Female 0 (also male/MALE, female/FEMALE; anything else NaN)
 *   Concat   the features in the model's order -> float [N,k]
 *   model    logistic: MatMul + Add + Sigmoid, with the standardization folded into the coefficients;
 *            trees: ai.onnx.ml TreeEnsembleRegressor (BRANCH_LT, the learners' `x < threshold`), then a
 *            Sigmoid for boosted margins. A boosted ensemble is first compiled into one equivalent tree
 *            over its threshold grid (compile-trees.ts) unless that grid is too large.
 *   outputs  probability float [N] = P(purchase); label int64 [N] = probability >= 0.5
 *
 * Opsets ai.onnx 17 and ai.onnx.ml 3, IR version 8. No timestamps and sorted metadata: the same fitted
 * model and metadata always give the same bytes.
 */
import type { FittedModel, LinearStructure } from '../learn/learner.js';
import type { TreeEnsemble } from '../learn/tree-model.js';
import { MAX_GRID_CELLS, compileEnsemble } from './compile-trees.js';
import { INPUT_NAMES, LABEL_THRESHOLD, OUTPUT_LABEL, OUTPUT_PROBABILITY } from './contract.js';
import {
  DataType,
  ML_DOMAIN,
  floatTensor,
  int64Tensor,
  node,
  onnx,
  valueInfo,
  type NodeProto,
  type TensorProto,
} from './proto.js';

export const ONNX_OPSET = 17;
export const ONNX_ML_OPSET = 3;
export const ONNX_IR_VERSION = 8;

const GENDER_KEYS = ['Female', 'Male', 'female', 'male', 'FEMALE', 'MALE'];
const GENDER_CODES = [0, 1, 0, 1, 0, 1];

interface Section {
  nodes: NodeProto[];
  initializers: TensorProto[];
}

function linearSection(linear: LinearStructure, input: string, output: string): Section {
  const k = linear.coefficients.length;
  return {
    nodes: [
      node('MatMul', [input, 'coefficients'], ['linear_term']),
      node('Add', ['linear_term', 'intercept'], ['margin']),
      node('Sigmoid', ['margin'], [output]),
    ],
    initializers: [
      floatTensor('coefficients', [k, 1], linear.coefficients),
      floatTensor('intercept', [1], [linear.intercept]),
    ],
  };
}

/** The ai.onnx.ml TreeEnsembleRegressor attributes of an ensemble (leaves as targets of output 0). */
function treeEnsembleNode(ensemble: TreeEnsemble, input: string, output: string): NodeProto {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const targetTreeIds: number[] = [];
  const targetNodeIds: number[] = [];
  const weights: number[] = [];
  ensemble.trees.forEach((tree, t) => {
    for (let i = 0; i < tree.feature.length; i++) {
      const leaf = tree.feature[i]! < 0;
      treeIds.push(t);
      nodeIds.push(i);
      featureIds.push(leaf ? 0 : tree.feature[i]!);
      values.push(leaf ? 0 : tree.threshold[i]!);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LT');
      trueIds.push(leaf ? 0 : tree.left[i]!);
      falseIds.push(leaf ? 0 : tree.right[i]!);
      if (leaf) {
        targetTreeIds.push(t);
        targetNodeIds.push(i);
        weights.push(tree.value[i]!);
      }
    }
  });
  return node(
    'TreeEnsembleRegressor',
    [input],
    [output],
    {
      aggregate_function: { string: 'SUM' },
      base_values: { floats: [ensemble.base] },
      n_targets: { int: 1 },
      nodes_falsenodeids: { ints: falseIds },
      nodes_featureids: { ints: featureIds },
      nodes_modes: { strings: modes },
      nodes_nodeids: { ints: nodeIds },
      nodes_treeids: { ints: treeIds },
      nodes_truenodeids: { ints: trueIds },
      nodes_values: { floats: values },
      post_transform: { string: 'NONE' },
      target_ids: { ints: new Array<number>(weights.length).fill(0) },
      target_nodeids: { ints: targetNodeIds },
      target_treeids: { ints: targetTreeIds },
      target_weights: { floats: weights },
    },
    ML_DOMAIN,
  );
}

/** The ensemble as exported: compiled to one tree when it has several and the grid is small enough. */
export function exportedEnsemble(
  ensemble: TreeEnsemble,
  featureCount: number,
  maxGridCells = MAX_GRID_CELLS,
): TreeEnsemble {
  if (ensemble.trees.length < 2) return ensemble;
  return compileEnsemble(ensemble, featureCount, maxGridCells) ?? ensemble;
}

function treeSection(
  ensemble: TreeEnsemble,
  featureCount: number,
  maxGridCells: number,
  input: string,
  output: string,
): Section {
  const exported = exportedEnsemble(ensemble, featureCount, maxGridCells);
  if (exported.link === 'identity')
    return { nodes: [treeEnsembleNode(exported, input, output)], initializers: [] };
  return {
    nodes: [treeEnsembleNode(exported, input, 'margin'), node('Sigmoid', ['margin'], [output])],
    initializers: [],
  };
}

/**
 * The ONNX bytes of a fitted model. `metadata` (model version, training-data SHA-256, ...) is stored as
 * metadata_props next to the learner, its parameters and the features, which the exporter adds itself.
 */
export interface ExportOptions {
  /** Largest threshold grid compiled into one tree; above it the ensemble is exported tree by tree. */
  maxGridCells?: number;
}

export function exportPipelineOnnx(
  model: FittedModel,
  metadata: Readonly<Record<string, string>>,
  options: ExportOptions = {},
): Uint8Array {
  const features = model.features;
  const inputs = features.map((f) =>
    valueInfo(INPUT_NAMES[f], f === 'Gender' ? DataType.STRING : DataType.FLOAT, ['N', 1]),
  );
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const columns = features.map((f) => {
    if (f !== 'Gender') return INPUT_NAMES[f];
    nodes.push(
      node(
        'LabelEncoder',
        [INPUT_NAMES.Gender],
        ['gender_code'],
        {
          keys_strings: { strings: GENDER_KEYS },
          values_floats: { floats: GENDER_CODES },
          default_float: { float: NaN },
        },
        ML_DOMAIN,
      ),
    );
    return 'gender_code';
  });
  nodes.push(node('Concat', columns, ['features'], { axis: { int: 1 } }));
  const section =
    model.structure.kind === 'linear'
      ? linearSection(model.structure, 'features', 'probability_column')
      : treeSection(
          model.structure,
          features.length,
          options.maxGridCells ?? MAX_GRID_CELLS,
          'features',
          'probability_column',
        );
  nodes.push(...section.nodes);
  initializers.push(...section.initializers);
  nodes.push(
    node('Reshape', ['probability_column', 'flat_shape'], [OUTPUT_PROBABILITY]),
    node('GreaterOrEqual', [OUTPUT_PROBABILITY, 'label_threshold'], ['is_likely_buyer']),
    node('Cast', ['is_likely_buyer'], [OUTPUT_LABEL], { to: { int: DataType.INT64 } }),
  );
  initializers.push(
    int64Tensor('flat_shape', [1], [-1]),
    floatTensor('label_threshold', [], [LABEL_THRESHOLD]),
  );

  const props: Record<string, string> = {
    ...metadata,
    features: features.join(','),
    learner: model.family,
    params: JSON.stringify(sortedRecord(model.params)),
  };
  const graph = onnx.GraphProto.create({
    name: 'propensity',
    node: nodes,
    initializer: initializers,
    input: inputs,
    output: [
      valueInfo(OUTPUT_LABEL, DataType.INT64, ['N']),
      valueInfo(OUTPUT_PROBABILITY, DataType.FLOAT, ['N']),
    ],
  });
  const modelProto = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    producerName: 'propensity',
    opsetImport: [
      { domain: '', version: ONNX_OPSET },
      { domain: ML_DOMAIN, version: ONNX_ML_OPSET },
    ],
    docString: 'P(car purchase) from raw customer columns; see card.json for how it was trained.',
    graph,
    metadataProps: Object.keys(props)
      .sort()
      .map((key) => ({ key, value: props[key]! })),
  });
  return onnx.ModelProto.encode(modelProto).finish();
}

function sortedRecord(record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, record[key]!]),
  );
}

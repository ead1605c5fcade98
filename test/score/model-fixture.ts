/**
 * A small but real ONNX model directory for scoring tests, until (and besides) the trained champion: a
 * logistic model over the contract's inputs (Age and AnnualSalary float [N,1], Gender string [N,1]) with the
 * contract's outputs (`label` int64 [N], `probability` float [N]), and a card.json whose SHA-256 matches.
 * `levels` rounds the probability down to a grid, so many customers tie (as with tree models).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { sha256, type ModelCard } from '../../pipeline/model/card.js';

export interface TestModelOptions {
  withGender?: boolean;
  /** Round probabilities down to multiples of 1/levels (ties). */
  levels?: number;
  threshold?: number;
  version?: number;
}

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const STRING = onnx.TensorProto.DataType.STRING;

function valueInfo(name: string, elemType: number, dims: (number | string)[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function floats(name: string, dims: number[], values: number[]): OnnxTypes.ITensorProto {
  return { name, dataType: FLOAT, dims, floatData: values };
}

function node(
  opType: string,
  input: string[],
  output: string[],
  attribute: OnnxTypes.IAttributeProto[] = [],
  domain = '',
) {
  return { opType, input, output, attribute, domain, name: output[0] };
}

export function testModelBytes(options: TestModelOptions = {}): Uint8Array {
  const withGender = options.withGender ?? true;
  const A = onnx.AttributeProto.AttributeType;
  const weights = withGender ? [0.12, 0.00004, 0.2] : [0.12, 0.00004];
  const nodes: OnnxTypes.INodeProto[] = [];
  const features = ['Age', 'AnnualSalary'];
  if (withGender) {
    nodes.push(
      node(
        'LabelEncoder',
        ['Gender'],
        ['male'],
        [
          { name: 'keys_strings', type: A.STRINGS, strings: [new TextEncoder().encode('Male')] },
          { name: 'values_floats', type: A.FLOATS, floats: [1] },
          { name: 'default_float', type: A.FLOAT, f: 0 },
        ],
        'ai.onnx.ml',
      ),
    );
    features.push('male');
  }
  nodes.push(
    node('Concat', features, ['x'], [{ name: 'axis', type: A.INT, i: 1 }]),
    node('MatMul', ['x', 'w'], ['xw']),
    node('Add', ['xw', 'b'], ['z']),
    node('Sigmoid', ['z'], ['p2']),
  );
  let last = 'p2';
  if (options.levels) {
    nodes.push(
      node('Mul', ['p2', 'levels'], ['scaled']),
      node('Floor', ['scaled'], ['floored']),
      node('Div', ['floored', 'levels'], ['p2r']),
    );
    last = 'p2r';
  }
  nodes.push(
    node('Squeeze', [last, 'axes'], ['probability']),
    node('Greater', ['probability', 'half'], ['positive']),
    node('Cast', ['positive'], ['label'], [{ name: 'to', type: A.INT, i: INT64 }]),
  );
  const initializer: OnnxTypes.ITensorProto[] = [
    floats('w', [weights.length, 1], weights),
    floats('b', [1], [-8]),
    floats('half', [], [0.5]),
    { name: 'axes', dataType: INT64, dims: [1], int64Data: [1] },
  ];
  if (options.levels) initializer.push(floats('levels', [], [options.levels]));
  const inputs = [valueInfo('Age', FLOAT, ['N', 1]), valueInfo('AnnualSalary', FLOAT, ['N', 1])];
  if (withGender) inputs.push(valueInfo('Gender', STRING, ['N', 1]));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'propensity-test',
    opsetImport: [
      { domain: '', version: 15 },
      { domain: 'ai.onnx.ml', version: 2 },
    ],
    graph: {
      name: 'test-logistic',
      node: nodes,
      initializer,
      input: inputs,
      output: [valueInfo('label', INT64, ['N']), valueInfo('probability', FLOAT, ['N'])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Writes model.onnx and a matching card.json into `dir`; returns the card. */
export function writeTestModel(dir: string, options: TestModelOptions = {}): ModelCard {
  mkdirSync(dir, { recursive: true });
  const bytes = testModelBytes(options);
  writeFileSync(join(dir, 'model.onnx'), bytes);
  const card: ModelCard = {
    version: options.version ?? 3,
    replaces: null,
    created_by: 'test fixture',
    model: {
      file: 'model.onnx',
      sha256: sha256(bytes),
      learner: 'logistic (test fixture)',
      params: {},
      features: options.withGender === false ? ['Age', 'AnnualSalary'] : ['Age', 'AnnualSalary', 'Gender'],
      threshold: options.threshold ?? 0.5,
    },
    data: { sha256: '0'.repeat(64), rows: 0, files: [] },
  };
  writeFileSync(join(dir, 'card.json'), JSON.stringify(card, null, 2) + '\n');
  return card;
}

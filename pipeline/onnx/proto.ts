/**
 * Small builders over the ONNX protobuf definitions (onnx-proto): tensors, attributes, nodes and typed
 * graph inputs/outputs. Only what the exporter needs, written so that the same arguments always encode to
 * the same bytes.
 */
import onnxProto from 'onnx-proto';

export const { onnx } = onnxProto;
export type NodeProto = InstanceType<typeof onnx.NodeProto>;
export type TensorProto = InstanceType<typeof onnx.TensorProto>;
export type ValueInfoProto = InstanceType<typeof onnx.ValueInfoProto>;
export type AttributeProto = InstanceType<typeof onnx.AttributeProto>;

export const ML_DOMAIN = 'ai.onnx.ml';
export const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** An attribute value, its ONNX type named by the key. */
export type Attribute =
  | { int: number }
  | { float: number }
  | { string: string }
  | { ints: readonly number[] }
  | { floats: ArrayLike<number> }
  | { strings: readonly string[] };

function attribute(name: string, value: Attribute): AttributeProto {
  if ('int' in value) return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value.int });
  if ('float' in value)
    return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value.float });
  if ('string' in value)
    return onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: utf8(value.string) });
  if ('ints' in value)
    return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: [...value.ints] });
  if ('floats' in value) {
    return onnx.AttributeProto.create({ name, type: AttributeType.FLOATS, floats: Array.from(value.floats) });
  }
  return onnx.AttributeProto.create({ name, type: AttributeType.STRINGS, strings: value.strings.map(utf8) });
}

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Record<string, Attribute> = {},
  domain = '',
): NodeProto {
  return onnx.NodeProto.create({
    opType,
    domain,
    name: outputs[0]!,
    input: [...inputs],
    output: [...outputs],
    // Sorted, so that attribute order never depends on how a caller built the record.
    attribute: Object.keys(attributes)
      .sort()
      .map((name) => attribute(name, attributes[name]!)),
  });
}

export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  return onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: DataType.FLOAT,
    floatData: Array.from(values),
  });
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: DataType.INT64, int64Data: [...values] });
}

/** A graph input or output; a string dimension is symbolic (the batch size 'N'). */
export function valueInfo(
  name: string,
  elemType: number,
  shape: readonly (number | string)[],
): ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  });
}

// The model-spec format: a JSON description of a Sequential CNN that uses tfjs-layers' own field
// names, plus its validator. analyzeSpec is what the editor calls on every keystroke, so it never
// throws and reports every field-level problem at once; parseSpec is the strict form for callers
// that need a valid spec or an exception.

import { checkLayerFields } from './fields.ts';
import { describeValue, suggestName } from './format.ts';
import { isIntegerIn, isPlainObject, own } from './guards.ts';
import { inferShapes } from './infer.ts';
import type {
  LayerReport,
  ModelSpec,
  NormalizedLayerSpec,
  SpecAnalysis,
  SpecIssue,
  SpecOptions,
  SpecSummary,
} from './types.ts';

export type * from './types.ts';
export { ACTIVATIONS, LAYER_DEFAULTS, LAYER_TYPES, PADDINGS } from './fields.ts';
export { describeArchitecture } from './format.ts';

export const MAX_LAYERS = 100;
/** 50 million float32 weights: 200 MB, plus as much again for each Adam moment. */
export const MAX_TOTAL_PARAMS = 50_000_000;
export const MAX_NAME_LENGTH = 100;
export const DEFAULT_NUM_CLASSES = 10;
const MAX_NUM_CLASSES = 65536;
const MODEL_FIELDS = ['name', 'inputShape', 'layers'];

export class SpecError extends Error {
  readonly issues: SpecIssue[];
  constructor(issues: SpecIssue[]) {
    super(issues.map((issue) => issue.message).join('\n'));
    this.name = 'SpecError';
    this.issues = issues;
  }
}

/** Validates and summarises a spec. Never throws, whatever `input` is. */
export function analyzeSpec(input: unknown, options?: SpecOptions): SpecAnalysis {
  try {
    return analyze(input, isPlainObject(options) ? options : {});
  } catch (error) {
    // Only reachable through hostile inputs (throwing getters, proxies): still report, never throw.
    const message = `spec could not be analysed: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, issues: [{ index: null, layerType: null, field: null, message }], layers: [] };
  }
}

/** Like analyzeSpec but returns only a valid, normalised spec; throws SpecError otherwise. */
export function parseSpec(input: unknown, options?: SpecOptions): SpecSummary {
  const analysis = analyzeSpec(input, options);
  if (!analysis.ok) throw new SpecError(analysis.issues);
  const { spec, layers, totalParams, trainableParams, totalFlops } = analysis;
  return { spec, layers, totalParams, trainableParams, totalFlops };
}

function analyze(input: unknown, options: SpecOptions): SpecAnalysis {
  const issues: SpecIssue[] = [];
  const modelIssue = (field: string | null, message: string) =>
    issues.push({ index: null, layerType: null, field, message });

  if (!isPlainObject(input)) {
    modelIssue(null, `spec must be an object with name, inputShape and layers, got ${describeValue(input)}`);
    return { ok: false, issues, layers: [] };
  }
  for (const key of Object.keys(input)) {
    if (!MODEL_FIELDS.includes(key)) {
      const hint = suggestName(key, MODEL_FIELDS);
      const help = hint ? `did you mean '${hint}'?` : `allowed: ${MODEL_FIELDS.join(', ')}`;
      modelIssue(key, `unknown field '${key}' (${help})`);
    }
  }

  const name = own(input, 'name');
  const nameOk = typeof name === 'string' && name.trim() !== '' && name.length <= MAX_NAME_LENGTH;
  if (!nameOk) {
    modelIssue(
      'name',
      `name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters, got ${describeValue(name)}`,
    );
  }

  const numClasses = options.numClasses ?? DEFAULT_NUM_CLASSES;
  if (!isIntegerIn(numClasses, 2, MAX_NUM_CLASSES)) {
    modelIssue(
      'numClasses',
      `numClasses must be an integer between 2 and ${MAX_NUM_CLASSES}, got ${describeValue(numClasses)}`,
    );
  }
  const inputShape = resolveInputShape(own(input, 'inputShape'), options.inputShape, modelIssue);

  const rawLayers = own(input, 'layers');
  if (!Array.isArray(rawLayers)) {
    modelIssue('layers', `layers must be a non-empty array of layer objects, got ${describeValue(rawLayers)}`);
    return { ok: false, issues, layers: [] };
  }
  if (rawLayers.length === 0) {
    modelIssue('layers', 'layers must not be empty: a classifier needs at least a Dense softmax layer');
  }
  if (rawLayers.length > MAX_LAYERS) {
    modelIssue('layers', `layers has ${rawLayers.length} entries; at most ${MAX_LAYERS} are allowed`);
  }

  const layers = rawLayers.map((raw, index) => checkLayerFields(raw, index, issues));
  const last = layers[layers.length - 1];
  if (isIntegerIn(numClasses, 2, MAX_NUM_CLASSES)) checkOutputLayer(last, layers.length - 1, numClasses, issues);

  if (!inputShape) return { ok: false, issues: sortIssues(issues), layers: [] };
  const inference = inferShapes(inputShape, layers);
  if (inference.issue) issues.push(inference.issue);
  if (issues.length > 0 || !inference.outputShape) {
    return { ok: false, issues: sortIssues(issues), layers: inference.reports };
  }

  const reports = inference.reports;
  const tooBig = parameterLimitIssue(reports);
  if (tooBig) return { ok: false, issues: [tooBig], layers: reports };
  const spec: ModelSpec = { name: name as string, inputShape, layers: layers as NormalizedLayerSpec[] };
  return {
    ok: true,
    spec,
    layers: reports,
    totalParams: sum(reports.map((r) => r.params)),
    trainableParams: sum(reports.map((r) => r.trainableParams)),
    totalFlops: sum(reports.map((r) => r.flops)),
    outputShape: inference.outputShape,
  };
}

/** A design that would not fit in memory is refused before tfjs tries to allocate it. */
function parameterLimitIssue(reports: LayerReport[]): SpecIssue | null {
  let total = 0;
  for (const report of reports) {
    total += report.params;
    if (total > MAX_TOTAL_PARAMS) {
      const where = `layer ${report.index + 1} ${report.type}`;
      return {
        index: report.index,
        layerType: report.type,
        field: null,
        message: `${where}: the model reaches ${total.toLocaleString('en-US')} parameters here, more than the ${MAX_TOTAL_PARAMS.toLocaleString('en-US')} allowed (add pooling or fewer units before it)`,
      };
    }
  }
  return null;
}

function resolveInputShape(
  fromSpec: unknown,
  fromOptions: unknown,
  modelIssue: (field: string, message: string) => void,
): [number, number, number] | null {
  const expected = 'inputShape must be [height, width, channels] of positive integers';
  if (fromOptions !== undefined && !isShape(fromOptions)) {
    modelIssue('inputShape', `options.${expected}, got ${describeValue(fromOptions)}`);
    return null;
  }
  if (fromSpec === undefined) {
    if (fromOptions !== undefined) return [...(fromOptions as [number, number, number])];
    modelIssue('inputShape', `${expected}, got undefined (MNIST is [28, 28, 1])`);
    return null;
  }
  if (!isShape(fromSpec)) {
    modelIssue('inputShape', `${expected}, got ${describeValue(fromSpec)}`);
    return null;
  }
  if (fromOptions !== undefined && fromOptions.some((dim, axis) => dim !== fromSpec[axis])) {
    modelIssue(
      'inputShape',
      `inputShape [${fromSpec.join(', ')}] does not match the dataset's images [${fromOptions.join(', ')}]`,
    );
    return null;
  }
  return [...fromSpec];
}

/**
 * The model must end in Dense(units=numClasses, activation 'softmax'): training uses sparse
 * categorical cross-entropy on probabilities. Checked on the last layer's fields alone, so the
 * message appears even when an earlier layer stops shape inference. (Dense only accepts a flat
 * input, so a valid last Dense always outputs a flat [numClasses] vector.)
 */
function checkOutputLayer(
  last: NormalizedLayerSpec | null | undefined,
  index: number,
  numClasses: number,
  issues: SpecIssue[],
): void {
  if (!last) return; // missing, or already reported for its fields
  const at = `layer ${index + 1} ${last.type}`;
  const push = (field: string | null, reason: string) =>
    issues.push({ index, layerType: last.type, field, message: `${at}: ${reason}` });
  if (last.type !== 'Dense') {
    push(null, `the last layer must be Dense with units ${numClasses} and activation 'softmax', got ${last.type}`);
    return;
  }
  if (last.units !== numClasses) {
    push(
      'units',
      `the last layer must output one probability per class: units must be ${numClasses}, got ${last.units}`,
    );
  }
  if (last.activation !== 'softmax') {
    push(
      'activation',
      `the last layer must use activation 'softmax' (training uses sparse categorical cross-entropy ` +
        `on probabilities), got '${last.activation}'`,
    );
  }
}

/** Model-level issues first, then by layer index, keeping the original order within a layer. */
function sortIssues(issues: SpecIssue[]): SpecIssue[] {
  const rank = (issue: SpecIssue) => (issue.index === null ? -1 : issue.index);
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => rank(a.issue) - rank(b.issue) || a.order - b.order)
    .map(({ issue }) => issue);
}

function isShape(value: unknown): value is [number, number, number] {
  return (
    Array.isArray(value) && value.length === 3 && value.every((dim) => isIntegerIn(dim, 1, Number.MAX_SAFE_INTEGER))
  );
}

function sum(values: number[]): number {
  return values.reduce((acc, v) => acc + v, 0);
}

// Saved designs, finished or not. A valid spec is stored normalised. An unfinished one (a value out of range,
// a required field left empty, no output layer yet, shapes that do not fit) is stored as written, so the
// Design screen can reopen it and go on; Train refuses it until it is fixed. Anything the editor could never
// have produced (unknown layer types or fields, values that are no field's kind) is refused, naming the field.
import { layerFieldNames } from '#shared/model/fields.ts';
import { isPlainObject } from '#shared/model/guards.ts';
import {
  analyzeSpec,
  LAYER_TYPES,
  MAX_LAYERS,
  type LayerType,
  type ModelSpec,
  type SpecIssue,
} from '#shared/model/index.ts';
import type { DesignRecord, Store } from '../store/index.ts';

const MODEL_FIELDS = ['name', 'inputShape', 'layers'];
/** Longest text a layer field may hold in an unfinished design; the longest valid one is 'softmax'. */
const MAX_FIELD_TEXT = 40;

/** Saves the design (the store checks its name and inputShape); garbage throws with the issue naming the field. */
export function saveCheckedDesign(store: Pick<Store, 'saveDesign'>, name: string, spec: unknown): DesignRecord {
  const analysis = analyzeSpec(spec);
  if (analysis.ok) return store.saveDesign(name, analysis.spec);
  const issue = unfinishedDesignIssue(spec);
  if (issue) throw Object.assign(new Error(issue.message), { issues: [issue] });
  return store.saveDesign(name, spec as ModelSpec);
}

/** Why `spec` is not even an unfinished design, or null when it is one (valid or not). */
export function unfinishedDesignIssue(spec: unknown): SpecIssue | null {
  const modelIssue = (field: string | null, message: string): SpecIssue => ({
    index: null,
    layerType: null,
    field,
    message,
  });
  if (!isPlainObject(spec))
    return modelIssue(null, `spec must be an object with name, inputShape and layers, got ${kindOf(spec)}`);
  const unknown = Object.keys(spec).find((key) => !MODEL_FIELDS.includes(key));
  if (unknown !== undefined)
    return modelIssue(unknown, `spec has an unknown field '${unknown}' (allowed: ${MODEL_FIELDS.join(', ')})`);
  const layers = spec.layers;
  if (!Array.isArray(layers))
    return modelIssue('layers', `layers must be an array of layer objects, got ${kindOf(layers)}`);
  if (layers.length > MAX_LAYERS)
    return modelIssue('layers', `layers has ${layers.length} entries; at most ${MAX_LAYERS} are allowed`);
  for (let index = 0; index < layers.length; index++) {
    const issue = layerIssue(layers[index], index);
    if (issue) return issue;
  }
  return null;
}

function layerIssue(layer: unknown, index: number): SpecIssue | null {
  const at = `layer ${index + 1}`;
  if (!isPlainObject(layer))
    return {
      index,
      layerType: null,
      field: null,
      message: `${at}: must be an object with a 'type' field, got ${kindOf(layer)}`,
    };
  const type = Object.hasOwn(layer, 'type') ? layer.type : undefined;
  if (!LAYER_TYPES.includes(type as LayerType)) {
    const message = `${at}: field 'type' must be one of ${LAYER_TYPES.join(', ')}, got ${kindOf(type)}`;
    return { index, layerType: null, field: 'type', message };
  }
  const layerType = type as LayerType;
  const fields = layerFieldNames(layerType);
  for (const [field, value] of Object.entries(layer)) {
    if (field === 'type') continue;
    const issue = (reason: string): SpecIssue => ({
      index,
      layerType,
      field,
      message: `${at} ${layerType}: ${reason}`,
    });
    if (!fields.includes(field)) return issue(`unknown field '${field}' (allowed: ${['type', ...fields].join(', ')})`);
    if (!isFieldValue(value)) {
      return issue(
        `field '${field}' must be a number, true or false, a text of at most ${MAX_FIELD_TEXT} characters or a pair of numbers, got ${kindOf(value)}`,
      );
    }
  }
  return null;
}

/** What a half-edited field can hold: empty (null), a number, a flag, a short text, a size pair. */
function isFieldValue(value: unknown): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'string') return value.length <= MAX_FIELD_TEXT;
  return Array.isArray(value) && value.length <= 2 && value.every((x) => typeof x === 'number' && Number.isFinite(x));
}

/** A short description of a value that never serialises it (it may be huge). */
function kindOf(value: unknown): string {
  if (typeof value === 'string')
    return value.length <= MAX_FIELD_TEXT ? JSON.stringify(value) : `a text of ${value.length} characters`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null)
    return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// The Sweep form's rows as typed, turned into the engine's sweep parameters (electron/shared/sweeps.ts) and
// checked and expanded with the engine's own functions, so the point count and the points are previewed, and
// refused past the engine's limit with its message, before anything is sent.
import type { ModelSpec } from '#shared/model/types.ts';
import { HYPERPARAMETER_FIELDS, OPTIMIZERS, type Hyperparameters } from '#shared/hyperparameters.ts';
import {
  checkSweepParameters,
  gridPoints,
  gridSize,
  LAYER_KNOBS,
  MAX_SWEEP_POINTS,
  randomPoints,
  SweepError,
  type SweepMode,
  type SweepParameter,
  type SweepPointValues,
  type SweepValue,
} from '#shared/sweeps.ts';

/** How a row gives its values: a typed list, or a range (log / linear / int) with a number of steps in a grid. */
export type RowKind = 'values' | 'log' | 'linear' | 'int';

export interface ParameterRow {
  /** Canonical name: 'learningRate', 'optimizer', 'layers.0.filters'. */
  name: string;
  kind: RowKind;
  /** 'values': comma-separated. */
  values: string;
  min: string;
  max: string;
  /** Grid points of a range (empty for an int range: every integer). */
  steps: string;
}

export interface ParameterChoice {
  name: string;
  label: string;
  /** A list of names (optimizer), not numbers. */
  categorical: boolean;
  /** What a new row of it starts with. */
  initial: Omit<ParameterRow, 'name'>;
}

const list = (values: string): Omit<ParameterRow, 'name'> => ({ kind: 'values', values, min: '', max: '', steps: '' });
const range = (kind: RowKind, min: string, max: string, steps: string): Omit<ParameterRow, 'name'> => ({
  kind,
  values: '',
  min,
  max,
  steps,
});

/** The hyperparameters the form offers to vary, with a sensible first row each. */
const HYPER_CHOICES: { name: keyof Hyperparameters; initial: Omit<ParameterRow, 'name'>; categorical?: boolean }[] = [
  { name: 'learningRate', initial: range('log', '0.0001', '0.01', '3') },
  { name: 'optimizer', initial: list(OPTIMIZERS.join(', ')), categorical: true },
  { name: 'batchSize', initial: list('32, 64, 128') },
  { name: 'epochs', initial: list('1, 2') },
  { name: 'momentum', initial: list('0.8, 0.9') },
  { name: 'validationSplit', initial: list('0.1, 0.2') },
  { name: 'seed', initial: list('1, 2, 3') },
  { name: 'trainSize', initial: list('1000, 5000') },
  { name: 'augmentRotation', initial: list('0, 10') },
  { name: 'lrSchedule', initial: list('constant, cosine'), categorical: true },
];

const KNOB_LABELS: Record<keyof typeof LAYER_KNOBS, string> = {
  filters: 'filters',
  units: 'units',
  kernelSize: 'kernel size',
  rate: 'dropout rate',
};

/** Every parameter the form can vary: hyperparameters, then each knob of each layer of the design that has it. */
export function parameterChoices(spec: ModelSpec | null): ParameterChoice[] {
  const choices: ParameterChoice[] = HYPER_CHOICES.map((c) => ({
    name: c.name,
    label: HYPERPARAMETER_FIELDS[c.name].label,
    categorical: c.categorical === true,
    initial: c.initial,
  }));
  const layers = spec?.layers ?? [];
  layers.forEach((layer, index) => {
    for (const [field, types] of Object.entries(LAYER_KNOBS) as [keyof typeof LAYER_KNOBS, readonly string[]][]) {
      if (!types.includes(layer.type)) continue;
      const current = (layer as unknown as Record<string, unknown>)[field];
      const base = Array.isArray(current) ? current[0] : current;
      const initial =
        field === 'rate'
          ? list('0.2, 0.5')
          : field === 'kernelSize'
            ? list('3, 5')
            : list(typeof base === 'number' ? `${Math.max(1, Math.round(base / 2))}, ${base}, ${base * 2}` : '16, 32');
      choices.push({
        name: `layers.${index}.${field}`,
        label: `Layer ${index + 1} ${layer.type} ${KNOB_LABELS[field]}`,
        categorical: false,
        initial,
      });
    }
  });
  return choices;
}

export function labelOf(name: string, spec: ModelSpec | null): string {
  return parameterChoices(spec).find((c) => c.name === name)?.label ?? name;
}

/** A new row for a parameter. */
export function newRow(choice: ParameterChoice): ParameterRow {
  return { name: choice.name, ...choice.initial };
}

/** Messages by form field: 'rows.2.values', 'rows.0.min', 'samples', 'parameters' (the whole list). */
export type SweepFieldErrors = Record<string, string>;

function parseValue(text: string): SweepValue {
  if (text === 'true' || text === 'false') return text === 'true';
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : text;
}

/** The rows as the engine's parameters, or the field of each row that is not yet a value. */
export function rowsToParameters(
  rows: ParameterRow[],
  mode: SweepMode,
): { parameters: SweepParameter[]; errors: SweepFieldErrors } {
  const errors: SweepFieldErrors = {};
  const parameters: SweepParameter[] = [];
  rows.forEach((row, i) => {
    if (row.kind === 'values') {
      const items = row.values
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      if (items.length === 0) errors[`rows.${i}.values`] = 'List at least one value, separated by commas.';
      else parameters.push({ name: row.name, values: items.map(parseValue) });
      return;
    }
    const ends: Record<'min' | 'max', number> = { min: NaN, max: NaN };
    for (const end of ['min', 'max'] as const) {
      const n = Number(row[end]);
      if (row[end].trim() === '' || !Number.isFinite(n)) errors[`rows.${i}.${end}`] = `${end} must be a number.`;
      else ends[end] = n;
    }
    let steps: number | undefined;
    if (mode === 'grid' && (row.steps.trim() !== '' || row.kind !== 'int')) {
      const n = Number(row.steps);
      if (row.steps.trim() === '' || !Number.isInteger(n) || n < 1)
        errors[`rows.${i}.steps`] = 'Steps must be a whole number (how many points from min to max).';
      else steps = n;
    }
    if (Object.keys(errors).some((k) => k.startsWith(`rows.${i}.`))) return;
    parameters.push(
      steps === undefined
        ? { name: row.name, range: row.kind, min: ends.min, max: ends.max }
        : { name: row.name, range: row.kind, min: ends.min, max: ends.max, steps },
    );
  });
  return { parameters, errors };
}

/**
 * Where an engine field ('parameters[1].values[0]', 'parameters[0]', 'samples', 'points.learningRate') shows in
 * the form: a row's field, the samples box, or the parameter list as a whole.
 */
export function formFieldOf(field: string | undefined, rows: ParameterRow[]): string {
  if (!field) return 'parameters';
  const row = /^parameters\[(\d+)\](?:\.(\w+))?/.exec(field);
  if (row) {
    const sub = row[2];
    const part = sub === 'min' || sub === 'max' || sub === 'steps' || sub === 'values' ? sub : null;
    const r = rows[Number(row[1])];
    return `rows.${row[1]}.${part ?? (r?.kind === 'values' ? 'values' : 'min')}`;
  }
  const point = /^points\.(.+)$/.exec(field);
  if (point) {
    const i = rows.findIndex((r) => r.name === point[1]);
    if (i >= 0) return `rows.${i}.${rows[i].kind === 'values' ? 'values' : 'min'}`;
  }
  if (field === 'samples' || field === 'seed' || field === 'name') return field;
  return 'parameters';
}

export interface SweepPreview {
  /** How many runs the sweep makes (a grid's product, or the samples asked for). */
  count: number | null;
  /** The points (empty when the form is not yet a sweep). */
  points: SweepPointValues[];
  parameters: SweepParameter[];
  errors: SweepFieldErrors;
}

/**
 * The sweep the form describes, checked against the design as the engine checks it: the point count, the
 * points themselves, or the messages by form field (the engine's own, for a grid over MAX_SWEEP_POINTS).
 */
export function previewSweep(
  rows: ParameterRow[],
  mode: SweepMode,
  spec: ModelSpec | null,
  samples: string,
  seed: string,
): SweepPreview {
  const none = (errors: SweepFieldErrors): SweepPreview => ({ count: null, points: [], parameters: [], errors });
  if (rows.length === 0) return none({ parameters: 'Add a parameter to vary.' });
  const built = rowsToParameters(rows, mode);
  const errors = { ...built.errors };
  let sampleCount = 0;
  if (mode === 'random') {
    const n = Number(samples);
    if (!Number.isInteger(n) || n < 1 || n > MAX_SWEEP_POINTS)
      errors.samples = `Samples must be a whole number from 1 to ${MAX_SWEEP_POINTS}.`;
    else sampleCount = n;
    if (seed.trim() !== '') {
      const s = Number(seed);
      if (!Number.isInteger(s) || s < 0 || s > 2 ** 32 - 1)
        errors.seed = 'The seed must be a whole number from 0 to 4294967295.';
    }
  }
  if (Object.keys(errors).length) return none(errors);
  let parameters: SweepParameter[];
  try {
    parameters = checkSweepParameters(built.parameters, spec ?? ({ layers: [] } as unknown as ModelSpec), mode);
    if (mode === 'grid') {
      const count = gridSize(parameters);
      if (count > MAX_SWEEP_POINTS) {
        // The engine's own refusal (with its count), from the function that makes the points.
        try {
          sweepPointsOf(parameters, mode, 0, 0);
        } catch (err) {
          if (err instanceof SweepError) return { ...none({ parameters: err.message }), count };
          throw err;
        }
      }
      return { count, points: sweepPointsOf(parameters, mode, 0, 0), parameters, errors: {} };
    }
    const points = sweepPointsOf(parameters, mode, seed.trim() === '' ? 0 : Number(seed), sampleCount);
    return { count: sampleCount, points, parameters, errors: {} };
  } catch (err) {
    if (!(err instanceof SweepError)) throw err;
    const out: SweepFieldErrors = {};
    for (const issue of err.issues) out[formFieldOf(issue.field, rows)] ??= issue.message;
    return none(out);
  }
}

function sweepPointsOf(parameters: SweepParameter[], mode: SweepMode, seed: number, samples: number) {
  return mode === 'grid' ? gridPoints(parameters) : randomPoints(parameters, seed, samples);
}

/** A value as the queue and the preview show it: 4 significant digits for numbers. */
export function showValue(value: SweepValue | undefined): string {
  if (value === undefined) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  return String(value);
}

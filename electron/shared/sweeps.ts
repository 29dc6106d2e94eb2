// Sweeps: a set of runs over hyperparameters and design knobs, as a grid or as seeded random samples. This is the
// one definition the engine, the CLI and the app share: parameter names (with the CLI's short aliases), what each
// parameter may hold, how points are generated and applied to a base spec and hyperparameters, and the records
// the engine hands out. Pure: no Node or browser APIs, so the app can preview a sweep's points as it is edited.
//
// A parameter is either a list of values ({name, values}) or a range ({name, range: 'log'|'linear'|'int', min,
// max, steps?}). A grid takes every combination (the first parameter varies slowest); a range in a grid needs
// `steps` (evenly spaced on its scale), except an 'int' range, which without steps is every integer. Random mode
// draws `samples` points; point i depends only on (seed, i), so adding samples later continues the same sequence:
// a list is a uniform choice, 'log' is log-uniform, 'linear' uniform, 'int' a uniform integer.
import type { ModelSpec } from './model/types.ts';
import { deriveSeed, seededRandom } from './random.ts';
import type { RunLeaseHolder, RunRecord } from './records.ts';
import type { DatasetRef, RunStatus } from './types.ts';
import {
  DEFAULT_HYPERPARAMETERS,
  HYPERPARAMETER_NAMES,
  rangeProblem,
  ruleOf,
  type Hyperparameters,
  type NumberRule,
} from './hyperparameters.ts';

/** A grid of more points than this is refused, and random sweeps draw at most this many. */
export const MAX_SWEEP_POINTS = 200;
/** Parameters in one sweep. */
export const MAX_SWEEP_PARAMETERS = 20;
export const SWEEP_MODES = ['grid', 'random'] as const;
export type SweepMode = (typeof SWEEP_MODES)[number];
export const SWEEP_STATUSES = ['running', 'paused', 'cancelled', 'completed'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];
export const SWEEP_RANGES = ['log', 'linear', 'int'] as const;
export type SweepRange = (typeof SWEEP_RANGES)[number];

export type SweepValue = number | string | boolean;

export type SweepParameter =
  | { name: string; values: SweepValue[] }
  | { name: string; range: SweepRange; min: number; max: number; steps?: number };

/** What a sweep is over; stored with it. */
export interface SweepDefinition {
  mode: SweepMode;
  parameters: SweepParameter[];
  /** Random mode: how many points were drawn at creation. */
  samples: number | null;
  /** Random mode: the seed of the draws (chosen at random and kept when none is given). */
  seed: number | null;
}

/** One point's settings, keyed by canonical parameter names ('learningRate', 'layers.0.filters'). */
export type SweepPointValues = Record<string, SweepValue>;

/**
 * The layer fields a sweep can vary, addressed as `layers.<index in spec.layers>.<field>`, and the layer types
 * that have them.
 */
export const LAYER_KNOBS = {
  filters: ['Conv2D'],
  units: ['Dense'],
  kernelSize: ['Conv2D'],
  rate: ['Dropout'],
} as const satisfies Record<string, readonly string[]>;
export type LayerKnob = keyof typeof LAYER_KNOBS;

/** The CLI's short names, besides each hyperparameter's own name and its --option spelling. */
export const PARAMETER_ALIASES: Record<string, keyof Hyperparameters> = {
  lr: 'learningRate',
  batch: 'batchSize',
};
const KNOB_ALIASES: Record<string, LayerKnob> = {
  filters: 'filters',
  units: 'units',
  kernelSize: 'kernelSize',
  'kernel-size': 'kernelSize',
  kernel: 'kernelSize',
  rate: 'rate',
  dropout: 'rate',
};

export class SweepError extends Error {
  constructor(readonly issues: { field: string; message: string }[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'SweepError';
  }
}

const fail = (field: string, message: string): never => {
  throw new SweepError([{ field, message }]);
};

const show = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

type Target =
  | { kind: 'hyperparameter'; name: keyof Hyperparameters }
  | { kind: 'knob'; name: string; layer: number; field: LayerKnob };

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** What a parameter name addresses, or why it addresses nothing. */
function resolveName(raw: string): Target | string {
  const knob = /^layers\.(\d+)\.([A-Za-z-]+)$/.exec(raw);
  if (knob) {
    const field = KNOB_ALIASES[knob[2]];
    if (!field)
      return `layers.${knob[1]}.${knob[2]}: unknown layer field (a sweep varies ${Object.keys(LAYER_KNOBS).join(', ')})`;
    const layer = Number(knob[1]);
    return { kind: 'knob', name: `layers.${layer}.${field}`, layer, field };
  }
  const name = Object.hasOwn(PARAMETER_ALIASES, raw) ? PARAMETER_ALIASES[raw] : camel(raw);
  if ((HYPERPARAMETER_NAMES as string[]).includes(name))
    return { kind: 'hyperparameter', name: name as keyof Hyperparameters };
  return `unknown parameter ${JSON.stringify(raw)} (a hyperparameter: ${HYPERPARAMETER_NAMES.join(', ')}; or a layer field: layers.<index>.${Object.keys(LAYER_KNOBS).join('|')})`;
}

/** The canonical name of a parameter ('lr' → 'learningRate', 'layers.2.kernel-size' → 'layers.2.kernelSize'), or null. */
export function canonicalParameterName(raw: string): string | null {
  const target = resolveName(raw);
  return typeof target === 'string' ? null : target.name;
}

/** The kind of value a target holds, and its numeric rule when it is a number. */
function valueKind(
  target: Target,
): { type: 'number'; rule: NumberRule; integer: boolean } | { type: 'string' | 'boolean' } {
  if (target.kind === 'knob') {
    if (target.field === 'rate')
      return { type: 'number', rule: { min: 0, max: 1, exclusiveMax: true }, integer: false };
    return { type: 'number', rule: { min: 1, max: 1_000_000, integer: true }, integer: true };
  }
  const rule = ruleOf(target.name);
  if (rule) return { type: 'number', rule, integer: rule.integer === true };
  const sample = DEFAULT_HYPERPARAMETERS[target.name];
  return { type: typeof sample === 'boolean' ? 'boolean' : 'string' };
}

/** Four significant digits: readable run names and commands, and the same value everywhere it is shown. */
const round = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(4)));

/**
 * Checks a sweep's parameters against its base spec (layer knobs must name a layer that has that field) and its
 * mode, and returns them with canonical names. Messages name the parameter: "parameters[1] (layers.5.filters): …".
 */
export function checkSweepParameters(input: unknown, spec: ModelSpec, mode: SweepMode): SweepParameter[] {
  if (!Array.isArray(input)) return fail('parameters', `parameters must be a list, got ${show(typeof input)}`);
  if (input.length === 0)
    return fail('parameters', 'parameters must name at least one hyperparameter or layer field to vary');
  if (input.length > MAX_SWEEP_PARAMETERS)
    return fail('parameters', `parameters must hold at most ${MAX_SWEEP_PARAMETERS} entries, got ${input.length}`);
  const seen = new Map<string, number>();
  return input.map((raw, index) => {
    const at = `parameters[${index}]`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      return fail(at, `${at} must be an object {name, values} or {name, range, min, max}`);
    const p = raw as Record<string, unknown>;
    if (typeof p.name !== 'string' || p.name.trim() === '')
      return fail(`${at}.name`, `${at}.name must be a parameter name`);
    const target = resolveName(p.name.trim());
    if (typeof target === 'string') return fail(`${at}.name`, `${at}: ${target}`);
    const label = `${at} (${target.name})`;
    if (seen.has(target.name))
      return fail(`${at}.name`, `${label}: ${target.name} is already varied by parameters[${seen.get(target.name)}]`);
    seen.set(target.name, index);
    if (target.kind === 'knob') checkKnob(target, spec, `${at}.name`, label);
    const kind = valueKind(target);
    const allowed = new Set(['name', 'values', 'range', 'min', 'max', 'steps']);
    for (const key of Object.keys(p))
      if (!allowed.has(key))
        fail(
          `${at}.${key}`,
          `${label}: unknown field '${key}' (a parameter has name and values, or range, min, max and steps)`,
        );
    if (p.values !== undefined) {
      if (p.range !== undefined || p.min !== undefined || p.max !== undefined || p.steps !== undefined)
        fail(at, `${label}: give either values or a range (range, min, max), not both`);
      return { name: target.name, values: checkValues(p.values, kind, `${at}.values`, label) };
    }
    if (p.range === undefined) return fail(at, `${label}: give values (a list) or a range (range, min, max)`);
    if (kind.type !== 'number')
      return fail(`${at}.range`, `${label}: ${target.name} takes a list of values, not a range`);
    if (!(SWEEP_RANGES as readonly unknown[]).includes(p.range))
      return fail(`${at}.range`, `${label}: range must be one of ${SWEEP_RANGES.join(', ')}, got ${show(p.range)}`);
    const range = p.range as SweepRange;
    for (const end of ['min', 'max'] as const) {
      if (typeof p[end] !== 'number' || !Number.isFinite(p[end]))
        fail(`${at}.${end}`, `${label}: ${end} must be a number, got ${show(p[end])}`);
      const problem = rangeProblem(p[end], { ...kind.rule, integer: range === 'int' || kind.rule.integer });
      if (problem) fail(`${at}.${end}`, `${label}: ${end} ${problem}`);
    }
    const min = p.min as number;
    const max = p.max as number;
    if (min > max) fail(`${at}.min`, `${label}: min ${min} is more than max ${max}`);
    if (range === 'log' && min <= 0) fail(`${at}.min`, `${label}: a log range needs min > 0, got ${min}`);
    let steps: number | undefined;
    if (p.steps !== undefined) {
      if (mode === 'random')
        fail(`${at}.steps`, `${label}: steps sets a grid's points; a random sweep samples the range itself`);
      if (typeof p.steps !== 'number' || !Number.isInteger(p.steps) || p.steps < 1 || p.steps > MAX_SWEEP_POINTS)
        fail(
          `${at}.steps`,
          `${label}: steps must be a whole number from 1 to ${MAX_SWEEP_POINTS}, got ${show(p.steps)}`,
        );
      steps = p.steps as number;
    } else if (mode === 'grid' && range !== 'int') {
      fail(`${at}.steps`, `${label}: a ${range} range in a grid needs steps (how many points between min and max)`);
    }
    return steps === undefined ? { name: target.name, range, min, max } : { name: target.name, range, min, max, steps };
  });
}

function checkKnob(target: Extract<Target, { kind: 'knob' }>, spec: ModelSpec, field: string, label: string): void {
  const layers = Array.isArray(spec?.layers) ? spec.layers : [];
  const layer = layers[target.layer] as { type?: unknown } | undefined;
  const types: readonly string[] = LAYER_KNOBS[target.field];
  const owners = `${target.field} is a field of ${types.join(', ')} layers`;
  if (!layer)
    fail(
      field,
      `${label}: the spec has no layer ${target.layer} (spec.layers holds ${layers.length}, numbered from 0); ${owners}`,
    );
  if (!types.includes(String(layer!.type)))
    fail(
      field,
      `${label}: spec.layers[${target.layer}] is a ${String(layer!.type)} layer, which has no ${target.field}; ${owners}`,
    );
}

function checkValues(
  input: unknown,
  kind: ReturnType<typeof valueKind>,
  field: string,
  label: string,
  itemField = (i: number) => `${field}[${i}]`,
): SweepValue[] {
  if (!Array.isArray(input) || input.length === 0) return fail(field, `${label}: values must be a non-empty list`);
  if (input.length > MAX_SWEEP_POINTS)
    return fail(field, `${label}: values must hold at most ${MAX_SWEEP_POINTS} entries, got ${input.length}`);
  return input.map((value, i) => {
    if (kind.type === 'number') {
      if (typeof value !== 'number') return fail(itemField(i), `${label}: value ${show(value)} is not a number`);
      const problem = rangeProblem(value, kind.rule);
      if (problem) return fail(itemField(i), `${label}: value ${problem}`);
    } else if (typeof value !== kind.type) {
      return fail(
        itemField(i),
        `${label}: value ${show(value)} must be ${kind.type === 'boolean' ? 'true or false' : 'a name'}`,
      );
    }
    return value as SweepValue;
  });
}

/** How many values a parameter contributes to a grid. */
function gridLength(p: SweepParameter): number {
  if ('values' in p) return p.values.length;
  if (p.steps !== undefined) return p.steps;
  return p.max - p.min + 1; // an int range without steps: every integer
}

function isInteger(name: string): boolean {
  const target = resolveName(name);
  if (typeof target === 'string') return false;
  const kind = valueKind(target);
  return kind.type === 'number' && kind.integer;
}

/** The values of a range in a grid: `steps` points evenly spaced on its scale (log or linear), ends included. */
function gridValues(p: SweepParameter): SweepValue[] {
  if ('values' in p) return p.values;
  const integer = p.range === 'int' || isInteger(p.name);
  if (p.steps === undefined) return Array.from({ length: p.max - p.min + 1 }, (_, i) => p.min + i);
  const n = p.steps;
  const values = Array.from({ length: n }, (_, i) => {
    const t = n === 1 ? 0 : i / (n - 1);
    const x =
      p.range === 'log'
        ? Math.exp(Math.log(p.min) + t * (Math.log(p.max) - Math.log(p.min)))
        : p.min + t * (p.max - p.min);
    return integer ? Math.round(x) : round(x);
  });
  return [...new Set(values)]; // an integer range with more steps than integers repeats none
}

/** The number of points a grid of these parameters has, computed without making them. */
export function gridSize(parameters: SweepParameter[]): number {
  return parameters.reduce((n, p) => n * gridLength(p), 1);
}

/** "3 × 4 × 20 = 240". */
function gridProduct(parameters: SweepParameter[]): string {
  const lengths = parameters.map(gridLength);
  return lengths.length > 1 ? `${lengths.join(' × ')} = ${gridSize(parameters)}` : String(gridSize(parameters));
}

/** Every combination, the first parameter varying slowest. */
export function gridPoints(parameters: SweepParameter[]): SweepPointValues[] {
  const size = gridSize(parameters);
  if (size > MAX_SWEEP_POINTS)
    fail(
      'parameters',
      `a grid of ${gridProduct(parameters)} points is more than ${MAX_SWEEP_POINTS}; shorten the lists, or sample it (random mode, samples: N)`,
    );
  let points: SweepPointValues[] = [{}];
  for (const p of parameters) {
    const values = gridValues(p);
    points = points.flatMap((point) => values.map((value) => ({ ...point, [p.name]: value })));
  }
  return points;
}

/** Draws one value of a parameter. */
function sample(p: SweepParameter, u: number): SweepValue {
  if ('values' in p) return p.values[Math.min(p.values.length - 1, Math.floor(u * p.values.length))];
  if (p.range === 'int') return p.min + Math.min(p.max - p.min, Math.floor(u * (p.max - p.min + 1)));
  const x =
    p.range === 'log'
      ? Math.exp(Math.log(p.min) + u * (Math.log(p.max) - Math.log(p.min)))
      : p.min + u * (p.max - p.min);
  const value = isInteger(p.name) ? Math.round(x) : round(x);
  return Math.min(p.max, Math.max(p.min, value));
}

/** Random points `from` … `from + count - 1` of a seeded sweep: point i depends only on (seed, i). */
export function randomPoints(parameters: SweepParameter[], seed: number, count: number, from = 0): SweepPointValues[] {
  return Array.from({ length: count }, (_, k) => {
    const next = seededRandom(deriveSeed(seed, from + k, 0x5eed));
    return Object.fromEntries(parameters.map((p) => [p.name, sample(p, next())]));
  });
}

/** A seed for a random sweep that names none. */
export function newSweepSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/** The points a definition makes at creation. */
export function sweepPoints(definition: SweepDefinition): SweepPointValues[] {
  if (definition.mode === 'grid') return gridPoints(definition.parameters);
  const samples = definition.samples;
  if (samples === null || !Number.isInteger(samples) || samples < 1 || samples > MAX_SWEEP_POINTS)
    return fail(
      'samples',
      `samples must be a whole number from 1 to ${MAX_SWEEP_POINTS} for a random sweep, got ${show(samples)}`,
    );
  return randomPoints(definition.parameters, definition.seed ?? 0, samples);
}

/**
 * Checks explicit points (sweeps:addRuns): each an object of parameter names and values, checked as a one-value
 * list of that parameter would be. Returns them with canonical names.
 */
export function checkPointValues(input: unknown, spec: ModelSpec): SweepPointValues[] {
  if (!Array.isArray(input) || input.length === 0) return fail('points', 'points must be a non-empty list of objects');
  if (input.length > MAX_SWEEP_POINTS)
    return fail('points', `points must hold at most ${MAX_SWEEP_POINTS}, got ${input.length}`);
  return input.map((raw, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      return fail(`points[${i}]`, `points[${i}] must be an object of parameter names and values`);
    const entries = Object.entries(raw as Record<string, unknown>);
    if (entries.length === 0) return fail(`points[${i}]`, `points[${i}] sets no parameter`);
    const point: SweepPointValues = {};
    for (const [rawName, value] of entries) {
      const at = `points[${i}].${rawName}`;
      const target = resolveName(rawName.trim());
      if (typeof target === 'string') return fail(at, `${at}: ${target}`);
      if (Object.hasOwn(point, target.name)) return fail(at, `${at}: ${target.name} is set twice`);
      if (target.kind === 'knob') checkKnob(target, spec, at, at);
      point[target.name] = checkValues([value], valueKind(target), at, at, () => at)[0];
    }
    return point;
  });
}

/** The base spec and hyperparameters with a point's values set (the spec is copied, never changed in place). */
export function applySweepPoint(
  spec: ModelSpec,
  hyperparameters: object,
  values: SweepPointValues,
): { spec: ModelSpec; hyperparameters: Record<string, unknown> } {
  const copy = JSON.parse(JSON.stringify(spec)) as ModelSpec;
  const h: Record<string, unknown> = { ...(hyperparameters as Record<string, unknown>) };
  for (const [name, value] of Object.entries(values)) {
    const knob = /^layers\.(\d+)\.(\w+)$/.exec(name);
    if (knob) (copy.layers[Number(knob[1])] as unknown as Record<string, unknown>)[knob[2]] = value;
    else h[name] = value;
  }
  return { spec: copy, hyperparameters: h };
}

/** A short form of a value for names and tables ("0.001", "adam", "64"). */
export function formatSweepValue(value: SweepValue): string {
  return String(value);
}

/** "learningRate=0.001 optimizer=adam layers.0.filters=16". */
export function describePoint(values: SweepPointValues): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${formatSweepValue(value)}`)
    .join(' ');
}

/** A run's name in a sweep: "<sweep> #3 · learningRate=0.001 optimizer=adam", cut to fit a run name. */
export function sweepRunName(sweepName: string, point: number, values: SweepPointValues, maxLength = 200): string {
  const name = `${sweepName} #${point + 1} · ${describePoint(values)}`;
  return name.length > maxLength ? `${name.slice(0, maxLength - 1)}…` : name;
}

/**
 * One parameter from the command line, `NAME=VALUES`: a list (`lr=1e-4,1e-3`, `optimizer=adam,sgd`), or a range
 * `log:MIN..MAX`, `linear:MIN..MAX` or `int:MIN..MAX`, with `:STEPS` for a grid (`lr=log:1e-4..1e-1:4`).
 */
export function parseParameterArgument(text: string): SweepParameter {
  const eq = text.indexOf('=');
  if (eq <= 0)
    return fail('parameters', `${JSON.stringify(text)}: expected NAME=VALUES, e.g. lr=1e-4,1e-3 or lr=log:1e-4..1e-1`);
  const name = text.slice(0, eq).trim();
  const spec = text.slice(eq + 1).trim();
  const range = /^(log|linear|lin|uniform|int):([^.:]+(?:\.[^.:]+)?)\.\.([^:]+)(?::(\d+))?$/.exec(spec);
  if (range) {
    const kind = range[1] === 'lin' || range[1] === 'uniform' ? 'linear' : (range[1] as SweepRange);
    const min = Number(range[2]);
    const max = Number(range[3]);
    if (!Number.isFinite(min) || !Number.isFinite(max))
      return fail('parameters', `${JSON.stringify(text)}: the range ends must be numbers`);
    return range[4] === undefined
      ? { name, range: kind, min, max }
      : { name, range: kind, min, max, steps: Number(range[4]) };
  }
  if (/^(log|linear|lin|uniform|int):/.test(spec))
    return fail(
      'parameters',
      `${JSON.stringify(text)}: a range is written KIND:MIN..MAX[:STEPS], e.g. log:1e-4..1e-1:4`,
    );
  const values = spec.split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) return fail('parameters', `${JSON.stringify(text)}: an empty value in the list`);
  return {
    name,
    values: values.map((v) => {
      if (v === 'true' || v === 'false') return v === 'true';
      const n = Number(v);
      return Number.isFinite(n) ? n : v;
    }),
  };
}

/** A point of a sweep `a=1,b=adam` from the command line (sweep add --point). */
export function parsePointArgument(text: string): Record<string, SweepValue> {
  const point: Record<string, SweepValue> = {};
  for (const part of text.split(',')) {
    const parsed = parseParameterArgument(part);
    if (!('values' in parsed) || parsed.values.length !== 1)
      fail('points', `${JSON.stringify(text)}: a point is NAME=VALUE,NAME=VALUE…`);
    point[parsed.name] = (parsed as { values: SweepValue[] }).values[0];
  }
  return point;
}

// ---- records -----------------------------------------------------------------------------------------------

/** Where a point stands: its run's status, or why it has none. */
export type SweepPointStatus = RunStatus | 'removed' | 'cancelled' | 'deleted';

export interface SweepPoint {
  /** 0-based, in queue order (points added later come after). */
  point: number;
  values: SweepPointValues;
  status: SweepPointStatus;
  runId: number | null;
  /** The run with its metrics (best validation and test accuracy, …); null when removed, cancelled or deleted. */
  run: RunRecord | null;
  /** The run was imported (`layerlab runs import`) from a folder another machine exported. */
  imported: boolean;
  createdAt: number;
}

export interface SweepRecord extends SweepDefinition {
  id: number;
  /** Identifies the sweep across databases: an exported point names it, so its imported run finds it. */
  uid: string;
  name: string;
  status: SweepStatus;
  spec: ModelSpec;
  /** The base hyperparameters each point's values are set on. */
  hyperparameters: Hyperparameters;
  dataset: DatasetRef;
  /** The backend preference its runs train with ('auto', 'native', …). */
  backend: string;
  createdAt: number;
  finishedAt: number | null;
  /** Why the queue paused the sweep itself (a run could not start, a run was stopped by hand), or null. */
  error: string | null;
  /** For a paused sweep whose run still trains: 'after-run' lets it finish, 'now' stops it. */
  pauseMode: 'now' | 'after-run' | null;
  /** The live process running the sweep's queue, or null. */
  drivenBy: RunLeaseHolder | null;
  /** The sweep's run training now, or null. */
  currentRunId: number | null;
  /** What the queue waits for before its next run (another process training), when this engine drives it. */
  waiting: string | null;
  /** Points by status, and in all. */
  counts: Partial<Record<SweepPointStatus, number>> & { total: number };
  /** The best test accuracy among its runs so far, and its run. */
  best: { runId: number; testAccuracy: number } | null;
}

export interface SweepDetail {
  sweep: SweepRecord;
  points: SweepPoint[];
}

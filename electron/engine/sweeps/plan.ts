// Plans a sweep before anything is recorded: the dataset, the base spec and hyperparameters, the parameters (layer
// knobs must name a layer that has the field) and every point, each checked as `layerlab train` would check it —
// the spec against the dataset, the hyperparameters against the training set's size, the memory a batch needs on
// the planned backend — so a sweep either records every point as a runnable queued run or is refused, naming the
// field: the parameter (parameters[k]) whose value breaks the point, or the base spec or hyperparameters.
import { loadDataset, resolveDatasetSource, type Dataset } from '../data/datasets.ts';
import type { BackendPreference } from '../backend/backends.ts';
import { assertRunFits, plannedBackend } from '../train/memory-budget.ts';
import type { NewSweepPoint } from '../store/sweeps.ts';
import { HyperparameterError, parseHyperparameters, type Hyperparameters } from '#shared/hyperparameters.ts';
import { parseSpec, SpecError, type ModelSpec } from '#shared/model/spec.ts';
import {
  applySweepPoint,
  checkPointValues,
  checkSweepParameters,
  describePoint,
  MAX_SWEEP_POINTS,
  newSweepSeed,
  randomPoints,
  SweepError,
  sweepPoints,
  sweepRunName,
  type SweepDefinition,
  type SweepMode,
  type SweepPointValues,
  type SweepRecord,
} from '#shared/sweeps.ts';
import type { DatasetRef } from '#shared/types.ts';

export interface SweepRequest {
  name?: string;
  spec: unknown;
  hyperparameters?: unknown;
  /** A built-in dataset id or a folder of IDX files, as `layerlab train --dataset` takes it. */
  dataset?: string;
  backend?: BackendPreference;
  mode: SweepMode;
  parameters: unknown;
  samples?: number;
  seed?: number;
}

export interface SweepPlan {
  name: string;
  definition: SweepDefinition;
  spec: ModelSpec;
  hyperparameters: Hyperparameters;
  dataset: DatasetRef;
  backend: BackendPreference;
  points: NewSweepPoint[];
}

/** The base of a sweep, checked: its dataset loaded, its spec and hyperparameters parsed. */
interface Base {
  name: string;
  spec: ModelSpec;
  hyperparameters: Hyperparameters;
  dataset: Dataset;
  backend: BackendPreference;
  parameters: SweepDefinition['parameters'];
}

/** Re-raises a spec or hyperparameter error under the request field it came from. */
function under(field: string, what: string, err: unknown): never {
  if (err instanceof SpecError || err instanceof HyperparameterError)
    throw new SweepError([{ field, message: `${what}: ${err.message}` }]);
  throw err;
}

function loadBase(request: SweepRequest, parameters?: SweepDefinition['parameters']): Base {
  const dataset = loadDataset(resolveDatasetSource(request.dataset ?? 'mnist'));
  let spec: ModelSpec;
  try {
    spec = parseSpec(request.spec, {
      numClasses: dataset.ref.classes.length,
      inputShape: [dataset.height, dataset.width, dataset.channels],
    }).spec;
  } catch (err) {
    under('spec', 'spec', err);
  }
  let hyperparameters: Hyperparameters;
  try {
    hyperparameters = parseHyperparameters(request.hyperparameters ?? {}, dataset.train.count);
  } catch (err) {
    under('hyperparameters', 'hyperparameters', err);
  }
  const checked = parameters ?? checkSweepParameters(request.parameters, spec!, request.mode);
  const names = checked.map((p) => p.name).join(' × ');
  return {
    name: request.name?.trim() || `${spec!.name}: ${names}`,
    spec: spec!,
    hyperparameters: hyperparameters!,
    dataset,
    backend: request.backend ?? 'auto',
    parameters: checked,
  };
}

/**
 * One point as a run: the base with its values set, checked as a training request is. An error names the point
 * and, as its field, the parameter that broke it (a layer knob for a spec error on that layer, the hyperparameter
 * for a hyperparameter error).
 */
function planPoint(base: Base, sweepName: string, point: number, values: SweepPointValues): NewSweepPoint {
  const applied = applySweepPoint(base.spec, base.hyperparameters, values);
  const names = Object.keys(values);
  const fieldOf = (err: unknown): string => {
    const issue = (err as { issues?: { index?: number | null; field?: string | null }[] }).issues?.[0];
    let name: string | undefined;
    if (err instanceof SpecError && typeof issue?.index === 'number')
      name = names.find((n) => n.startsWith(`layers.${issue.index}.`));
    else if (err instanceof HyperparameterError) name = names.find((n) => n === issue?.field);
    const k = name === undefined ? -1 : base.parameters.findIndex((p) => p.name === name);
    return k >= 0 ? `parameters[${k}]` : name ? `points.${name}` : 'parameters';
  };
  try {
    const design = parseSpec(applied.spec, {
      numClasses: base.dataset.ref.classes.length,
      inputShape: [base.dataset.height, base.dataset.width, base.dataset.channels],
    });
    const hyperparameters = parseHyperparameters(applied.hyperparameters, base.dataset.train.count);
    assertRunFits(design, hyperparameters, plannedBackend(base.backend));
    return { values, name: sweepRunName(sweepName, point, values), spec: design.spec, hyperparameters };
  } catch (err) {
    if (!(err instanceof SpecError || err instanceof HyperparameterError)) throw err;
    throw new SweepError([
      { field: fieldOf(err), message: `point ${point + 1} (${describePoint(values)}): ${err.message}` },
    ]);
  }
}

/** Checks a sweep request and makes its points; throws SweepError (or the dataset's error) naming the field. */
export function planSweep(request: SweepRequest): SweepPlan {
  const base = loadBase(request);
  const definition: SweepDefinition = {
    mode: request.mode,
    parameters: base.parameters,
    samples: request.mode === 'random' ? (request.samples ?? null) : null,
    seed: request.mode === 'random' ? (request.seed ?? newSweepSeed()) : null,
  };
  if (request.mode === 'grid' && request.samples !== undefined)
    throw new SweepError([
      { field: 'samples', message: 'samples is for a random sweep; a grid takes every combination' },
    ]);
  const values = sweepPoints(definition);
  return {
    name: base.name,
    definition,
    spec: base.spec,
    hyperparameters: base.hyperparameters,
    dataset: base.dataset.ref,
    backend: base.backend,
    points: values.map((v, i) => planPoint(base, base.name, i, v)),
  };
}

/**
 * Points to add to a recorded sweep (sweeps:addRuns): explicit ones, and/or `samples` more random draws that
 * continue the sweep's own sequence. `first` is the index the first new point gets.
 */
export function planMorePoints(
  sweep: SweepRecord,
  request: { points?: unknown; samples?: number },
  first: number,
  drawn: number,
): NewSweepPoint[] {
  if (request.points === undefined && request.samples === undefined)
    throw new SweepError([
      { field: 'points', message: 'give points (a list of parameter values) or samples (how many more to draw)' },
    ]);
  if (request.samples !== undefined && sweep.mode !== 'random')
    throw new SweepError([
      { field: 'samples', message: `sweep ${sweep.id} is a grid; add explicit points to it instead` },
    ]);
  const base = loadBase(
    {
      spec: sweep.spec,
      hyperparameters: sweep.hyperparameters,
      dataset: sweep.dataset.id,
      backend: sweep.backend as BackendPreference,
      mode: sweep.mode,
      parameters: null,
    },
    sweep.parameters,
  );
  const explicit = request.points === undefined ? [] : checkPointValues(request.points, base.spec);
  const sampled =
    request.samples === undefined ? [] : randomPoints(sweep.parameters, sweep.seed ?? 0, request.samples, drawn);
  const values = [...explicit, ...sampled];
  if (values.length > MAX_SWEEP_POINTS)
    throw new SweepError([
      { field: 'points', message: `at most ${MAX_SWEEP_POINTS} points can be added at once, got ${values.length}` },
    ]);
  return values.map((v, i) => planPoint(base, sweep.name, first + i, v));
}

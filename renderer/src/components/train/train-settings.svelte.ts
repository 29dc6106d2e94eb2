// What the user set up on the Train screen, kept at module level so switching screens does not reset the
// form; the run last shown is kept in sessionStorage so a reload returns to its charts and result.
import type { ModelSpec } from '#shared/model/spec.ts';
import type { RunRecord } from '#shared/records.ts';
import { DEFAULT_FIELDS, fieldsFromHyperparameters, type HyperparameterFields } from './hyperparameters.ts';

export type BackendChoice = 'auto' | 'gpu' | 'native' | 'wasm';

export interface TrainSettings {
  /** 'design' (app.design), 'template:<name>', 'saved:<name>' or 'run:<id>' (runDesign). */
  model: string | null;
  dataset: string;
  fields: HyperparameterFields;
  name: string;
  tags: string;
  backend: BackendChoice;
  /** TensorBoard-style EMA weight for the batch chart, 0 = raw. */
  smoothing: number;
}

export const settings: TrainSettings = $state({
  model: null,
  dataset: 'mnist',
  fields: { ...DEFAULT_FIELDS },
  name: '',
  tags: '',
  backend: 'auto',
  smoothing: 0.6,
});

/** The network of the run the form was last filled from: the model choice 'run:<id>'. */
export const runDesign: { current: { runId: number; name: string; spec: ModelSpec } | null } = $state({
  current: null,
});

/** The run whose settings the form shows (once per run, so later edits to the form stay). */
let adoptedRunId: number | null = null;

/**
 * Fills the form with a run's own network, dataset and hyperparameters (a run resumed from Runs trains with
 * those, not with what the form held). `currentSpec` is the network the form has chosen now: when it is the
 * run's, the choice stays as it is (a run just started from this form).
 */
export function adoptRun(run: RunRecord, currentSpec: ModelSpec | null): void {
  if (adoptedRunId === run.id) return;
  adoptedRunId = run.id;
  settings.fields = fieldsFromHyperparameters(run.hyperparameters);
  settings.dataset = run.dataset.id;
  if (!currentSpec || JSON.stringify(currentSpec) !== JSON.stringify(run.spec)) {
    runDesign.current = { runId: run.id, name: run.name, spec: run.spec };
    settings.model = `run:${run.id}`;
  }
}

const LAST_RUN_KEY = 'layerlab.train.lastRunId';

export function rememberRun(runId: number): void {
  try {
    sessionStorage.setItem(LAST_RUN_KEY, String(runId));
  } catch {
    // Storage can be unavailable (privacy settings); the screen then just starts empty after a reload.
  }
}

export function forgetRun(): void {
  try {
    sessionStorage.removeItem(LAST_RUN_KEY);
  } catch {
    // see rememberRun
  }
}

export function rememberedRun(): number | null {
  try {
    const id = Number(sessionStorage.getItem(LAST_RUN_KEY));
    return Number.isInteger(id) && id > 0 ? id : null;
  } catch {
    return null;
  }
}

// What the user set up on the Train screen, kept at module level so switching screens does not reset the
// form; the run last shown is kept in sessionStorage so a reload returns to its charts and result.
import { DEFAULT_FIELDS, type HyperparameterFields } from './hyperparameters.ts';

export type BackendChoice = 'auto' | 'gpu' | 'native' | 'wasm';

export interface TrainSettings {
  /** 'design' (app.design), 'template:<name>' or 'saved:<name>'. */
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

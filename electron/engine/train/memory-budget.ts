// The engine's side of the training-memory check (electron/shared/model/memory.ts): the limits of this machine
// and backend, and the refusal of a run that would not fit, before the run is recorded or a tensor allocated.
import os from 'node:os';
import { activeBackend, nativeAddonStatus, type BackendPreference } from '../backend/backends.ts';
import {
  evaluationBatchSize,
  memoryIssue,
  memoryLimits,
  type InferenceFootprint,
  type MemoryHyperparameters,
  type MemoryLimits,
} from '#shared/model/memory.ts';
import { SpecError, type LayerReport, type ModelSpec } from '#shared/model/spec.ts';
import type { BackendKind } from '#shared/types.ts';

/**
 * The backend initBackend(preference) will use, without loading it: the one already running in this process,
 * else the first of gpu, native, wasm whose package is built (a GPU build that finds no device runs on the
 * CPU, which is planned for the same way).
 */
export function plannedBackend(preference: BackendPreference = 'auto'): BackendKind {
  const running = activeBackend()?.kind;
  if (running && (preference === 'auto' || preference === running)) return running;
  if (preference !== 'auto') return preference;
  if (nativeAddonStatus('gpu').ok) return 'gpu';
  return nativeAddonStatus('native').ok ? 'native' : 'wasm';
}

export function engineMemoryLimits(backend: BackendKind): MemoryLimits {
  return memoryLimits(backend, os.totalmem());
}

/** Throws a SpecError naming the layer when the design cannot train at this batch size on this backend here. */
export function assertRunFits(
  design: { spec: ModelSpec; layers: LayerReport[] },
  h: MemoryHyperparameters,
  backend: BackendKind,
): void {
  const issue = memoryIssue(design, h, engineMemoryLimits(backend));
  if (issue) throw new SpecError([issue]);
}

/**
 * Images to predict at once on the running backend for a model of this footprint (at least 1: a design that
 * cannot predict one image was refused before it trained, and a model loaded from elsewhere is tried anyway).
 */
export function engineEvaluationBatchSize(footprint: InferenceFootprint): number {
  return Math.max(1, evaluationBatchSize(footprint, engineMemoryLimits(plannedBackend())));
}

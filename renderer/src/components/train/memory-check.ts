// The Train form's memory check: the engine's own rule (shared/model/memory.ts) applied to the chosen network and
// batch against the limits of the backend the run would get, so a run Start would refuse says so before Start.
import { analyzeSpec, type ModelSpec } from '#shared/model/index.ts';
import { estimateMemory, formatBytes, memoryIssue, type MemoryHyperparameters } from '#shared/model/memory.ts';
import type { TrainingMemoryLimits } from '#shared/contract.ts';
import { BACKEND_LABELS } from '#shared/types.ts';

export interface MemoryCheck {
  /** What one training step holds, as the engine estimates it. */
  trainingBytes: number;
  /** trainingBytes over the limit: above 1 the run is refused. */
  share: number;
  /** "1.2 GB · a run may use 11.7 GB on Native CPU (half of this machine's 23.4 GB)". */
  summary: string;
  /** The engine's refusal, naming the layer, or null when the run fits. */
  issue: string | null;
}

/** Null when the network is not valid for `numClasses` (the model picker says why). */
export function checkMemory(
  spec: ModelSpec,
  numClasses: number,
  h: MemoryHyperparameters,
  budget: TrainingMemoryLimits,
): MemoryCheck | null {
  const design = analyzeSpec(spec, { numClasses });
  if (!design.ok) return null;
  const { trainingBytes } = estimateMemory(design, h);
  const { limits, backend } = budget;
  return {
    trainingBytes,
    share: trainingBytes / limits.bytes,
    summary: `${formatBytes(trainingBytes)} · a run may use ${formatBytes(limits.bytes)} on ${BACKEND_LABELS[backend]} (${limits.reason})`,
    issue: memoryIssue(design, h, limits)?.message ?? null,
  };
}

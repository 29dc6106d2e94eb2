// Asks the engine what happens inside one or two runs' networks (inspect:model) for the current input, the way
// LivePredictor asks for predictions: during a stroke at most one round every THROTTLE_MS and one in flight;
// right after a stroke ends (or a setting changes) a round goes at once, neither held back by the throttle nor
// by a round still in flight. A round asks every target run at once and is shown as a whole, so two runs side
// by side always read the same drawing. Every round is numbered (SequenceGate): an answer is shown only if it
// answers the latest round sent (an older one would be replaced at once: it is not even drawn), no later
// answer is on screen, and the input was not cleared or replaced meanwhile.
import { tick } from 'svelte';
import type { ModelInspection, RequestOf, SaliencyMethod } from '#shared/contract.ts';
import { call, errorMessage } from '../../lib/api.ts';
import { THROTTLE_MS } from '../draw/live-predictor.svelte.ts';
import { SequenceGate } from './sequence.ts';

export type InspectInput = RequestOf<'inspect:model'>['input'];

export interface InspectTarget {
  runId: number;
  /** null: no saliency map (cheaper), e.g. while the saliency view is not shown. */
  saliency: { method: SaliencyMethod; classIndex?: number } | null;
  /** Which of the run's weights (absent: its default), as Draw's toggle chose. */
  weights?: 'last' | 'best';
}

export interface RunInspection {
  runId: number;
  inspection: ModelInspection | null;
  error: string | null;
  /** What was asked, so a view can tell an answer for other settings (being replaced) from a current one. */
  target: InspectTarget;
}

export interface InspectRound {
  seq: number;
  results: RunInspection[];
  /** The renderer's time for the whole round. */
  roundTripMs: number;
}

export class LiveInspector {
  round = $state.raw<InspectRound | null>(null);
  busy = $state(false);
  /** Time from the end of the last stroke (or the last change of settings) until its answer was painted. */
  latencyMs = $state<number | null>(null);

  private readonly gate = new SequenceGate();
  private dirty = false;
  private changedAt: number | null = null;
  private inFlight = 0;
  private lastSentAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;

  private readonly input: () => InspectInput | null;
  private readonly targets: () => InspectTarget[];

  constructor(input: () => InspectInput | null, targets: () => InspectTarget[]) {
    this.input = input;
    this.targets = targets;
  }

  /** The (first) answer for one run in the round on screen. */
  resultFor(runId: number): RunInspection | undefined {
    return this.round?.results.find((r) => r.runId === runId);
  }

  /** Every answer for one run (a run may be asked twice: two saliency maps). */
  resultsFor(runId: number): RunInspection[] {
    return this.round?.results.filter((r) => r.runId === runId) ?? [];
  }

  /** The input or the settings changed; `settled` (a stroke ended, a setting picked) sends now and starts the clock. */
  update(settled = false): void {
    this.dirty = true;
    if (settled) this.changedAt = performance.now();
    this.pump();
  }

  /** No input any more (the pad was cleared): forget the answer on screen and any on its way. */
  reset(): void {
    this.gate.invalidate();
    this.dirty = false;
    this.changedAt = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.round = null;
    this.latencyMs = null;
  }

  dispose(): void {
    this.reset();
  }

  private pump(): void {
    if (!this.dirty) return;
    // During a stroke one round at a time; a settled change may overtake the round in flight (two at most).
    if (this.inFlight >= (this.changedAt === null ? 1 : 2)) return;
    const wait = this.lastSentAt + THROTTLE_MS - performance.now();
    if (wait > 0 && this.changedAt === null) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.pump();
      }, wait);
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.send();
  }

  private async send(): Promise<void> {
    const changedAt = this.changedAt;
    this.dirty = false;
    this.changedAt = null;
    const targets = this.targets();
    const input = targets.length ? this.input() : null;
    if (!input) return;
    const seq = this.gate.issue();
    this.inFlight++;
    this.busy = true;
    const started = performance.now();
    this.lastSentAt = started;
    try {
      const results = await Promise.all(
        targets.map(async (target): Promise<RunInspection> => {
          try {
            const inspection = await call('inspect:model', {
              runId: target.runId,
              input,
              saliency: target.saliency,
              ...(target.weights ? { weights: target.weights } : {}),
            });
            return { runId: target.runId, inspection, error: null, target };
          } catch (err) {
            return { runId: target.runId, inspection: null, error: errorMessage(err), target };
          }
        }),
      );
      if (!this.gate.isLatest(seq) || !this.gate.accept(seq)) return;
      this.round = { seq, results, roundTripMs: performance.now() - started };
      if (changedAt !== null) {
        await tick();
        requestAnimationFrame(() => {
          if (this.gate.current === seq) this.latencyMs = performance.now() - changedAt;
        });
      }
    } finally {
      this.inFlight--;
      this.busy = this.inFlight > 0;
      this.pump();
    }
  }
}

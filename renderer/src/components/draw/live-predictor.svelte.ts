// Asks the engine for predictions while the user draws: at most one request in flight, at most one every
// THROTTLE_MS during a stroke, and always one right after a stroke ends (never delayed by the throttle), so the
// bars follow the pen and settle on the finished drawing. It sends the pad's strokes (predict:strokes); the engine
// draws the model's input from them and returns it, so the preview shows exactly what the models read.
import { tick } from 'svelte';
import type { PredictResult } from '#shared/contract.ts';
import type { Stroke } from '#shared/drawing.ts';
import { call, errorMessage } from '../../lib/api.ts';

export const THROTTLE_MS = 90;

export class LivePredictor {
  result = $state.raw<PredictResult | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);
  /** Time from the end of the last stroke until the bars showed its prediction. */
  latencyMs = $state<number | null>(null);
  /** Time of the last request, as the renderer measured it (engine time is in the result). */
  roundTripMs = $state<number | null>(null);

  private dirty = false;
  private strokeEndedAt: number | null = null;
  private inFlight = false;
  private lastSentAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by reset(): answers to requests from before a clear are dropped. */
  private generation = 0;

  private readonly drawing: () => Stroke[] | null;
  private readonly runIds: () => number[];
  /** Which of the runs' weights predict (undefined: each run's default). */
  private readonly weights: () => 'last' | 'best' | undefined;

  constructor(
    drawing: () => Stroke[] | null,
    runIds: () => number[],
    weights: () => 'last' | 'best' | undefined = () => undefined,
  ) {
    this.drawing = drawing;
    this.runIds = runIds;
    this.weights = weights;
  }

  /** The drawing (or the chosen runs) changed; strokeEnd starts the latency clock. */
  update(strokeEnd = false): void {
    this.dirty = true;
    if (strokeEnd) this.strokeEndedAt = performance.now();
    this.pump();
  }

  /** The canvas is blank again: forget the last answer and any pending one. */
  reset(): void {
    this.generation++;
    this.dirty = false;
    this.strokeEndedAt = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.result = null;
    this.error = null;
    this.latencyMs = null;
  }

  dispose(): void {
    this.reset();
  }

  private pump(): void {
    if (this.inFlight || !this.dirty) return;
    const wait = this.lastSentAt + THROTTLE_MS - performance.now();
    if (wait > 0 && this.strokeEndedAt === null) {
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
    const strokeEndedAt = this.strokeEndedAt;
    this.dirty = false;
    this.strokeEndedAt = null;
    const runIds = this.runIds();
    const strokes = runIds.length ? this.drawing() : null;
    if (!strokes) return;
    const generation = this.generation;
    this.inFlight = true;
    this.busy = true;
    const started = performance.now();
    this.lastSentAt = started;
    try {
      const weights = this.weights();
      const result = await call('predict:strokes', { runIds, strokes, ...(weights ? { weights } : {}) });
      if (generation !== this.generation) return;
      this.result = result;
      this.error = null;
      this.roundTripMs = performance.now() - started;
      if (strokeEndedAt !== null) {
        // Measured once the new bars are in the DOM and about to be painted.
        await tick();
        requestAnimationFrame(() => {
          if (generation === this.generation) this.latencyMs = performance.now() - strokeEndedAt;
        });
      }
    } catch (err) {
      if (generation === this.generation) this.error = errorMessage(err);
    } finally {
      this.inFlight = false;
      this.busy = false;
      this.pump();
    }
  }
}

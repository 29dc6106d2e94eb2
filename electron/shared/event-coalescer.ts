// Coalesces the engine's per-batch events into one 'batches' TrainingEvent per run at most every
// EVENT_FLUSH_MS; any other event first flushes what is buffered, then goes out at once, so order holds.
// Shared by Electron main and the browser dev bridge; the sink decides where events go.
import { EVENT_FLUSH_MS, type TrainingEvent } from './contract.ts';
import type { BatchProgress, RunEvent } from './types.ts';

export class EventCoalescer {
  private readonly buffers = new Map<number, BatchProgress[]>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = -Infinity;

  constructor(
    private readonly sink: (event: TrainingEvent) => void,
    private readonly intervalMs = EVENT_FLUSH_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(event: RunEvent): void {
    if (event.type === 'batch') {
      const items = this.buffers.get(event.runId);
      if (items) items.push(event.progress);
      else this.buffers.set(event.runId, [event.progress]);
      if (!this.timer) {
        const wait = Math.max(0, this.lastFlush + this.intervalMs - this.now());
        this.timer = setTimeout(() => this.flush(), wait);
      }
      return;
    }
    this.flush();
    this.sink(event);
  }

  /** Sends everything buffered now (one 'batches' event per run). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffers.size === 0) return;
    this.lastFlush = this.now();
    const pending = [...this.buffers];
    this.buffers.clear();
    for (const [runId, items] of pending) this.sink({ type: 'batches', runId, items });
  }

  dispose(): void {
    this.flush();
  }
}

// Coalesces the engine's per-batch events so the renderer gets at most one message per flush interval
// (~20 a second) while every batch still reaches its charts. Other events flush what is pending first,
// so order is kept.
import type { RunEvent } from '../engine/runner.ts';
import type { BatchProgress } from '../engine/train/trainer.ts';
import { EVENT_FLUSH_MS, type TrainingEvent } from './contract.ts';

export class EventCoalescer {
  private pending = new Map<number, BatchProgress[]>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly deliver: (event: TrainingEvent) => void,
    private readonly intervalMs = EVENT_FLUSH_MS,
  ) {}

  push(event: RunEvent): void {
    if (event.type === 'batch') {
      const list = this.pending.get(event.runId) ?? [];
      list.push(event.progress);
      this.pending.set(event.runId, list);
      this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
      return;
    }
    this.flush();
    this.deliver(event);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [runId, items] of this.pending) this.deliver({ type: 'batches', runId, items });
    this.pending.clear();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }
}

// The run the Train screen shows: fed by training events while it trains, and filled from the store when the
// screen opens mid-run, after a reload, or when a run resumes (whose earlier epochs happened in another session).
import type { ActiveTraining, RunDetail, TrainingEvent } from '#shared/contract.ts';
import type { BatchProgress } from '#shared/types.ts';
import type { BackendInfo, EpochMetric, RunStatus } from '#shared/types.ts';
import { call, errorMessage } from '../../lib/api.ts';
import { BatchSeries } from './batch-series.ts';

export type Started = ActiveTraining['started'];
/** 'idle': a stored run this screen does not follow and whose outcome it does not know (yet). */
export type Phase = 'idle' | 'starting' | 'training' | 'validating' | 'evaluating' | 'stopping' | 'finished';

/** Fetching more history than this is downsampled by the store (every n-th step). */
const HISTORY_POINTS = 20_000;

/** Batches per epoch as the engine computes them (runner.ts / splitTrainingSet), for runs not training now. */
export function batchesPerEpochOf(detail: RunDetail): number {
  const h = detail.run.hyperparameters;
  const used = h.trainSize ?? detail.run.dataset.trainCount;
  return Math.ceil((used - Math.round(used * h.validationSplit)) / h.batchSize);
}

export class LiveRun {
  readonly runId: number;
  /** The 'started' event of the current session; null until it arrives (or for a run not training now). */
  started = $state.raw<Started | null>(null);
  latest = $state.raw<BatchProgress | null>(null);
  epochs = $state.raw<EpochMetric[]>([]);
  detail = $state.raw<RunDetail | null>(null);
  finished = $state.raw<{ status: RunStatus; error: string | null } | null>(null);
  stopRequested = $state(false);
  /** True while this screen follows a live session (started, resumed or attached); false for a stored run. */
  session = $state(false);
  evaluating = $state(false);
  loading = $state(false);
  loadError = $state<string | null>(null);
  /** Bumped whenever `series` changes; the batch chart redraws on it (at most once per event). */
  seriesVersion = $state(0);
  private backfill = false;
  private detailRequests = 0;
  /**
   * False from a session's end until the record written at that end has been read: before it, `detail` is the
   * record as of the last epoch (no test accuracy, fewer epochs), which the result card must not present.
   */
  resultSettled = $state(true);
  /** Plain, non-reactive arrays: see BatchSeries. */
  readonly series: BatchSeries;

  constructor(runId: number, smoothing: number) {
    this.runId = runId;
    this.series = new BatchSeries(smoothing);
  }

  totalEpochs = $derived(this.started?.epochs || this.detail?.run.hyperparameters.epochs || 0);
  batchesPerEpoch = $derived(this.started?.batchesPerEpoch || (this.detail ? batchesPerEpochOf(this.detail) : 0));
  backend = $derived<BackendInfo | null>(this.started?.backend ?? this.detail?.run.backend ?? null);

  /** Epochs finished and checkpointed: from the epoch events, or the store's record if it knows more. */
  epochsDone = $derived(Math.max(this.epochs.length, this.detail?.run.epochsCompleted ?? 0));

  phase = $derived.by<Phase>(() => {
    if (this.finished) return 'finished';
    if (!this.session) return 'idle';
    if (this.stopRequested) return 'stopping';
    if (this.evaluating) return 'evaluating';
    if (!this.started) return 'starting';
    const last = this.latest;
    if (last && last.batch === last.batchesPerEpoch - 1 && !this.epochs.some((e) => e.epoch === last.epoch)) {
      return this.started.validationCount > 0 ? 'validating' : 'training';
    }
    return 'training';
  });

  /** Batches done over all batches of the run (a resumed run starts where it stopped, not at 0). */
  progress = $derived.by(() => {
    const total = this.totalEpochs * this.batchesPerEpoch;
    if (!total) return 0;
    if (this.finished?.status === 'completed') return 1;
    // An ended session keeps only its checkpointed epochs (see shownPosition).
    const done = this.finished
      ? this.epochsDone * this.batchesPerEpoch
      : this.latest
        ? this.latest.epoch * this.batchesPerEpoch + this.latest.batch + 1
        : (this.started?.fromEpoch ?? this.epochs.length) * this.batchesPerEpoch;
    return Math.min(done / total, 1);
  });

  handle(event: TrainingEvent): void {
    if (event.runId !== this.runId) return;
    switch (event.type) {
      case 'started':
        // A new session of this run (a resume): the engine has dropped metrics after the checkpoint.
        this.series.clear();
        this.seriesVersion++;
        this.epochs = [];
        this.latest = null;
        this.finished = null;
        this.stopRequested = false;
        this.evaluating = false;
        this.session = true;
        this.started = event;
        if (event.fromEpoch > 0) void this.loadHistory();
        break;
      case 'batches':
        this.series.append(event.items);
        this.latest = event.items.at(-1) ?? this.latest;
        this.seriesVersion++;
        break;
      case 'epoch':
        this.epochs = [...this.epochs.filter((e) => e.epoch < event.metric.epoch), event.metric];
        // The run's record (epochs completed, best epoch) as of this checkpoint, should the session end abruptly.
        void this.loadDetail();
        // The store has every batch of this epoch now: fill what fell between history and live events.
        if (this.backfill) this.loadBatches().catch((err) => (this.loadError = errorMessage(err)));
        break;
      case 'evaluating':
        this.evaluating = true;
        break;
      case 'finished':
        this.finished = { status: event.status, error: event.error };
        this.evaluating = false;
        this.resultSettled = false;
        void this.loadDetail();
        break;
    }
  }

  /** Follows a run that is training now (screen opened mid-run or after a reload). */
  attach(active: ActiveTraining): void {
    // Before the engine's own 'started' event, training:active holds a placeholder with no epochs.
    if (active.started.epochs > 0) this.started = active.started;
    this.session = true;
    this.latest = active.latest;
    this.stopRequested = active.stopping;
  }

  /** Start or resume was requested: show 'starting' until the engine's 'started' event (or an error). */
  markStarting(): void {
    this.session = true;
    this.finished = null;
    this.stopRequested = false;
    this.evaluating = false;
    this.started = null;
    this.latest = null;
  }

  /**
   * The engine went down while this session was live (main reports such runs interrupted; this covers a
   * session whose report was missed, so the screen never waits for an event that cannot come).
   */
  interrupt(error: string | null): void {
    if (!this.session || this.finished) return;
    this.finished = { status: 'interrupted', error };
    this.stopRequested = false;
    this.evaluating = false;
  }

  /** Loads what the store has: the run, its epochs, and its batch metrics before the live ones. */
  async loadHistory(): Promise<void> {
    this.loading = true;
    this.loadError = null;
    try {
      const detail = await this.loadDetail();
      if (!detail) return;
      await this.loadBatches();
      const live = this.epochs;
      this.epochs = [...detail.epochs.filter((e) => !live.some((l) => l.epoch === e.epoch)), ...live].sort(
        (a, b) => a.epoch - b.epoch,
      );
      // A stored run shows its stored outcome; a live session learns its outcome from the 'finished' event.
      if (!this.session && !this.finished && detail.run.status !== 'running' && detail.run.status !== 'queued') {
        this.finished = { status: detail.run.status, error: detail.run.error };
      }
    } catch (err) {
      this.loadError = errorMessage(err);
    } finally {
      this.loading = false;
    }
  }

  /**
   * Batch metrics from the store, merged with live ones. The engine writes batches in groups, so when the
   * screen joins mid-run the newest few are neither stored yet nor received: backfill after the next epoch.
   */
  private async loadBatches(): Promise<void> {
    const detail = this.detail;
    if (!detail) return;
    const expected = batchesPerEpochOf(detail) * Math.max(detail.run.epochsCompleted + 1, 1);
    const every = Math.max(1, Math.ceil(expected / HISTORY_POINTS));
    const history = await call('runs:batchMetrics', { runId: this.runId, every });
    this.series.merge(history);
    this.seriesVersion++;
    this.backfill = every === 1 && this.series.hasGaps() && this.session && !this.finished;
  }

  /**
   * Reads the run's record. Replies can overtake each other (an epoch's read answered after the final one), so
   * only the newest request's reply is kept; a read asked for after the session ended settles the result.
   */
  async loadDetail(): Promise<RunDetail | null> {
    const request = ++this.detailRequests;
    const afterEnd = this.finished !== null;
    try {
      const detail = await call('runs:get', { runId: this.runId });
      if (request === this.detailRequests) {
        this.detail = detail;
        if (afterEnd) this.resultSettled = true;
      }
      return detail;
    } catch (err) {
      this.loadError = errorMessage(err);
      if (request === this.detailRequests && afterEnd) this.resultSettled = true; // show what is known, not "Loading"
      return null;
    }
  }

  setSmoothing(weight: number): void {
    this.series.setWeight(weight);
    this.seriesVersion++;
  }
}

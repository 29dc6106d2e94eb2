// What the Runs screen remembers while the user visits other screens: filters, sort, selection.
import type { RunRecord } from '#shared/records.ts';
import { testAccuracyCell } from '../weights/weights-labels.ts';
import type { RunStatus } from '#shared/types.ts';
import { architectureSummary } from './format.ts';

export type SortKey =
  | 'status'
  | 'name'
  | 'architecture'
  | 'optimizer'
  | 'learningRate'
  | 'batchSize'
  | 'epochs'
  | 'bestValAccuracy'
  | 'testAccuracy'
  | 'duration'
  | 'backend'
  | 'created';

class RunsView {
  search = $state('');
  statuses = $state<RunStatus[]>([]);
  tag = $state('');
  sort = $state<SortKey>('created');
  descending = $state(true);
  /** The run shown in the detail pane. */
  detailId = $state<number | null>(null);
  /** Runs ticked for Compare. */
  checked = $state<number[]>([]);

  get filtering(): boolean {
    return this.search.trim() !== '' || this.statuses.length > 0 || this.tag !== '';
  }

  clearFilters(): void {
    this.search = '';
    this.statuses = [];
    this.tag = '';
  }

  /** Clicking the current column flips the order; a new column starts with its natural order. */
  sortBy(key: SortKey): void {
    if (this.sort === key) this.descending = !this.descending;
    else {
      this.sort = key;
      // Best-first for metrics and newest-first for dates; A→Z for text.
      this.descending = ['bestValAccuracy', 'testAccuracy', 'created', 'epochs'].includes(key);
    }
  }
}

export const runsView = new RunsView();

function sortValue(run: RunRecord, key: SortKey): string | number | null {
  const h = run.hyperparameters;
  switch (key) {
    case 'status':
      return run.status;
    case 'name':
      return run.name.toLowerCase();
    case 'architecture':
      return architectureSummary(run.spec);
    case 'optimizer':
      return h.optimizer ?? null;
    case 'learningRate':
      return h.learningRate ?? null;
    case 'batchSize':
      return h.batchSize ?? null;
    case 'epochs':
      return run.epochsCompleted;
    case 'bestValAccuracy':
      return run.bestValAccuracy;
    case 'testAccuracy':
      // What the Test acc cell shows: the run's default weights' accuracy.
      return testAccuracyCell(run).value;
    case 'duration':
      return run.trainingDurationMs;
    case 'backend':
      return run.backend?.kind ?? null;
    case 'created':
      return run.createdAt;
  }
}

/** Sorted copy; runs without a value go last in either direction, ties keep id order. */
export function sortRuns(runs: RunRecord[], key: SortKey, descending: boolean): RunRecord[] {
  const direction = descending ? -1 : 1;
  return [...runs].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    if (
      x === null ||
      y === null ||
      (typeof x === 'number' && Number.isNaN(x)) ||
      (typeof y === 'number' && Number.isNaN(y))
    ) {
      const missingX = x === null || Number.isNaN(x);
      const missingY = y === null || Number.isNaN(y);
      if (missingX !== missingY) return missingX ? 1 : -1;
      return (a.id - b.id) * direction;
    }
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return order === 0 ? (a.id - b.id) * direction : order * direction;
  });
}

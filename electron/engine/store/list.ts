// Builds the SQL for listRuns from a filter: status set, tag, free-text search, sort.
import type { RunStatus } from '#shared/types.ts';
import { RUN_COLUMNS } from './rows.ts';
import { checkStatus, StoreError } from './validate.ts';

export type RunSort = 'created' | 'name' | 'bestValAccuracy' | 'testAccuracy';

export interface RunFilter {
  /** Any of these statuses; omitted or empty means all. */
  status?: RunStatus[];
  /** Whitespace-separated words; every word must appear in the name, notes, a tag or the architecture. */
  search?: string;
  /** Exact tag, case-insensitive. */
  tag?: string;
  sort?: RunSort;
  order?: 'asc' | 'desc';
}

const SORT_COLUMNS: Record<RunSort, string> = {
  created: 'created_at',
  name: 'name COLLATE NOCASE',
  bestValAccuracy: 'best_val_accuracy',
  testAccuracy: 'test_accuracy',
};

/** Default order: newest first for 'created', best first for accuracies, A→Z for names. */
const DEFAULT_ORDER: Record<RunSort, 'asc' | 'desc'> = {
  created: 'desc',
  name: 'asc',
  bestValAccuracy: 'desc',
  testAccuracy: 'desc',
};

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function buildListQuery(filter: RunFilter = {}): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];

  if (filter.status !== undefined) {
    if (!Array.isArray(filter.status)) throw new StoreError('filter.status must be an array of run statuses');
    const statuses = filter.status.map((s, i) => checkStatus(s, `filter.status[${i}]`));
    if (statuses.length > 0) {
      where.push(`status IN (${statuses.map(() => '?').join(', ')})`);
      params.push(...statuses);
    }
  }

  if (filter.tag !== undefined) {
    if (typeof filter.tag !== 'string') throw new StoreError('filter.tag must be a string');
    // run_tags.tag is COLLATE NOCASE, so '=' is already case-insensitive.
    where.push('EXISTS (SELECT 1 FROM run_tags WHERE run_tags.run_id = runs.id AND run_tags.tag = ?)');
    params.push(filter.tag.trim());
  }

  if (filter.search !== undefined) {
    if (typeof filter.search !== 'string') throw new StoreError('filter.search must be a string');
    for (const word of filter.search.trim().split(/\s+/).filter(Boolean)) {
      const pattern = `%${escapeLike(word)}%`;
      where.push(`(name LIKE ? ESCAPE '\\' OR notes LIKE ? ESCAPE '\\' OR architecture LIKE ? ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM run_tags WHERE run_tags.run_id = runs.id AND run_tags.tag LIKE ? ESCAPE '\\'))`);
      params.push(pattern, pattern, pattern, pattern);
    }
  }

  const sort = filter.sort ?? 'created';
  if (!(sort in SORT_COLUMNS)) {
    throw new StoreError(
      `filter.sort must be one of ${Object.keys(SORT_COLUMNS).join(', ')} (got ${JSON.stringify(sort)})`,
    );
  }
  const order = filter.order ?? DEFAULT_ORDER[sort];
  if (order !== 'asc' && order !== 'desc') {
    throw new StoreError(`filter.order must be 'asc' or 'desc' (got ${JSON.stringify(order)})`);
  }
  const direction = order.toUpperCase();
  // Runs without a metric yet go last either way; id breaks ties so the order is stable.
  const orderBy = `${SORT_COLUMNS[sort]} ${direction} NULLS LAST, id ${direction}`;

  const whereClause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  return { sql: `SELECT ${RUN_COLUMNS} FROM runs ${whereClause} ORDER BY ${orderBy}`, params };
}

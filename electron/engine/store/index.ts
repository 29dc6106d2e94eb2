// Public surface of the run store.
export { Store, type NewRun, type StoreOptions } from './store.ts';
export { StoreError } from './validate.ts';
export { defaultDatabasePath } from './paths.ts';
export { SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations.ts';
export type { RunFilter, RunSort } from './list.ts';
export { BatchMetricWriter, BATCH_FLUSH_INTERVAL_MS, type BatchMetricQuery } from './metrics.ts';
// The records are shared with the app (electron/shared/records.ts); the store hands them out.
export type {
  CheckpointRecord,
  DesignRecord,
  FinishStatus,
  RunRecord,
  RunSessionRecord,
  StoredEvaluation,
} from '#shared/records.ts';
export type { ModelSpec } from '#shared/model/spec.ts';
export type { ImportedDatasetRecord } from './artifacts.ts';
export { getRunDetail } from './run-detail.ts';

// Public surface of the run store.
export { Store, type NewRun, type StoreOptions } from './store.ts';
export { StoreError, MAX_NAME_LENGTH, MAX_TAG_LENGTH, RUN_STATUSES, type FinishStatus } from './validate.ts';
export { defaultDatabasePath } from './paths.ts';
export { SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations.ts';
export type { RunFilter, RunSort } from './list.ts';
export type { BatchMetricQuery } from './metrics.ts';
export type {
  CheckpointRecord,
  DesignRecord,
  ModelSpec,
  RunRecord,
  RunSessionRecord,
  StoredEvaluation,
} from './rows.ts';
export type { ImportedDatasetRecord } from './artifacts.ts';

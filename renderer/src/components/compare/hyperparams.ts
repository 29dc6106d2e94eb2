// Rows of the hyperparameter comparison: the union of every run's keys, so runs recorded with different
// hyperparameter sets still line up (a key a run lacks shows as "—").
import {
  architectureSummary,
  DASH,
  formatValue,
  hyperparameterKeys,
  hyperparameterLabel,
  integer,
} from '../runs/format.ts';
import type { ComparedRun } from './load.ts';
import {
  EARLY_STOPPING_MONITORS,
  HYPERPARAMETER_FIELDS,
  hyperparameterInUse,
  LR_SCHEDULES,
  type Hyperparameters,
} from '#shared/hyperparameters.ts';

/** What a run shows for an early-stopping or schedule setting its own choice does not use (patience with it off). */
export const NOT_USED = 'not used';

function unused(key: string, h: Record<string, unknown>): boolean {
  if (!Object.hasOwn(HYPERPARAMETER_FIELDS, key)) return false;
  const group = HYPERPARAMETER_FIELDS[key as keyof Hyperparameters].group;
  if (group !== 'earlyStopping' && group !== 'lrSchedule') return false;
  // Only where the run's choices are known ones (not an older run's missing key, or a newer Layerlab's schedule).
  const known = (values: readonly string[], value: unknown) => typeof value === 'string' && values.includes(value);
  if (!known(EARLY_STOPPING_MONITORS, h.earlyStopping) || !known(LR_SCHEDULES, h.lrSchedule)) return false;
  return !hyperparameterInUse(key as keyof Hyperparameters, h as unknown as Hyperparameters);
}

export interface SettingRow {
  key: string;
  label: string;
  values: string[];
  differs: boolean;
}

export function settingRows(runs: ComparedRun[]): SettingRow[] {
  const records = runs.map((r) => r.detail.run);
  const hyper = records.map((r) => r.hyperparameters as unknown as Record<string, unknown>);
  const rows: Omit<SettingRow, 'differs'>[] = [
    { key: 'architecture', label: 'Architecture', values: records.map((r) => architectureSummary(r.spec)) },
    {
      key: 'parameters',
      label: 'Parameters',
      values: runs.map((r) => (r.totalParams === null ? DASH : integer(r.totalParams))),
    },
    { key: 'dataset', label: 'Dataset', values: records.map((r) => r.dataset.name) },
    ...hyperparameterKeys(hyper).map((key) => ({
      key,
      label: hyperparameterLabel(key),
      values: hyper.map((h) => (!(key in h) ? DASH : unused(key, h) ? NOT_USED : formatValue(key, h[key]))),
    })),
    { key: 'backend', label: 'Backend', values: records.map((r) => r.backend?.kind ?? DASH) },
  ];
  return rows.map((row) => ({ ...row, differs: new Set(row.values).size > 1 }));
}

/**
 * The settings that differ among the runs, by label (Parameters, which follows from Architecture, is not counted
 * apart): more than one means a difference in results cannot be put down to any one of them.
 */
export function differingSettings(rows: SettingRow[]): string[] {
  return rows.filter((row) => row.differs && row.key !== 'parameters').map((row) => row.label);
}

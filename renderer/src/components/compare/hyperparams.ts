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
      values: hyper.map((h) => (key in h ? formatValue(key, h[key]) : DASH)),
    })),
    { key: 'backend', label: 'Backend', values: records.map((r) => r.backend?.kind ?? DASH) },
  ];
  return rows.map((row) => ({ ...row, differs: new Set(row.values).size > 1 }));
}

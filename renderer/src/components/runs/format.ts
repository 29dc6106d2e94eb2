// Formatting shared by the Runs and Compare screens: short architecture strings, percentages, durations, dates.
import {
  EARLY_STOPPING_LABELS,
  HYPERPARAMETER_FIELDS,
  HYPERPARAMETER_NAMES,
  LR_SCHEDULE_LABELS,
} from '#shared/hyperparameters.ts';
import { describeArchitecture, type ModelSpec } from '#shared/model/index.ts';
import type { RunStatus } from '#shared/types.ts';
import { formatDateTime } from '../../lib/dates.ts';

export const DASH = '—';

/** "C32-P-C64-P-C64-F-D64-D10", as the CLI prints it; a dash when the spec has no layer list. */
export function architectureSummary(spec: ModelSpec): string {
  return Array.isArray(spec?.layers) ? describeArchitecture(spec) : DASH;
}

export function percent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || Number.isNaN(value) ? DASH : `${(value * 100).toFixed(digits)}%`;
}

export function fixed(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined || Number.isNaN(value) ? DASH : value.toFixed(digits);
}

/** Human duration: "850 ms", "47 s", "2 min 05 s", "1 h 02 min". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function dateTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? DASH : formatDateTime(ms);
}

export function integer(value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? DASH : Math.round(value).toLocaleString();
}

export const STATUSES: RunStatus[] = ['running', 'queued', 'completed', 'stopped', 'interrupted', 'failed'];

/** Stopped, interrupted and failed runs keep their checkpoints and can be resumed from the Train screen. */
export function isResumable(status: RunStatus): boolean {
  return status === 'stopped' || status === 'interrupted' || status === 'failed';
}

/** Known hyperparameters in the schema's display order; unknown keys (older or newer runs) follow, as named. */
export function hyperparameterKeys(objects: object[]): string[] {
  const known: string[] = HYPERPARAMETER_NAMES;
  const seen = new Set(objects.flatMap((o) => Object.keys(o)));
  return [...known.filter((k) => seen.has(k)), ...[...seen].filter((k) => !known.includes(k)).sort()];
}

export function hyperparameterLabel(key: string): string {
  return Object.hasOwn(HYPERPARAMETER_FIELDS, key)
    ? HYPERPARAMETER_FIELDS[key as keyof typeof HYPERPARAMETER_FIELDS].label
    : key;
}

export function formatValue(key: string, value: unknown): string {
  if (value === undefined) return DASH;
  if (value === null) return key === 'trainSize' ? 'all' : DASH;
  if (key === 'validationSplit' && typeof value === 'number') return `${value} (${Math.round(value * 100)}%)`;
  if (typeof value === 'number') return key === 'trainSize' ? value.toLocaleString() : String(value);
  if (key === 'earlyStopping' && Object.hasOwn(EARLY_STOPPING_LABELS, String(value)))
    return EARLY_STOPPING_LABELS[value as keyof typeof EARLY_STOPPING_LABELS];
  if (key === 'lrSchedule' && Object.hasOwn(LR_SCHEDULE_LABELS, String(value)))
    return LR_SCHEDULE_LABELS[value as keyof typeof LR_SCHEDULE_LABELS];
  if (key === 'earlyStoppingRestoreBest' && typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

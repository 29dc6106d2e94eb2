// Number and time formatting for the Train screen (fixed en-US grouping so screenshots and tests are stable).

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatPercent(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`;
}

export function formatLoss(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(4);
}

/** 75 → "1m 15s", 4000 → "1h 07m"; for ETAs and durations alike. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** What a run's stored speed measures, so it is not read against the live "speed now" of the last batches. */
export const AVERAGE_SPEED_HINT =
  'Training images per second over all epochs, the slow first batches included; validation and checkpoints excluded';

export function formatRate(samplesPerSecond: number | null | undefined): string {
  if (samplesPerSecond === null || samplesPerSecond === undefined || !Number.isFinite(samplesPerSecond)) return '—';
  return `${samplesPerSecond >= 100 ? formatCount(samplesPerSecond) : samplesPerSecond.toFixed(1)} samples/s`;
}

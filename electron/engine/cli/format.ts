// Plain-text rendering for the CLI: tables, durations, percentages.
import type { RunRecord } from '../store/index.ts';
import { describeArchitecture, formatShape, type LayerReport } from '#shared/model/index.ts';
import { singleLine } from '#shared/plain-text.ts';

export function pct(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined || Number.isNaN(value) ? '-' : `${(value * 100).toFixed(digits)}%`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

export function runsTable(runs: RunRecord[]): string {
  if (runs.length === 0) return 'No runs yet. Start one with `layerlab train --template seed`.';
  return table(
    ['ID', 'STATUS', 'NAME', 'ARCHITECTURE', 'OPT', 'LR', 'BATCH', 'EPOCHS', 'BEST VAL', 'TEST', 'TIME', 'BACKEND'],
    runs.map((r) => [
      String(r.id),
      r.status,
      // One line of plain text, whatever an older database holds (escapes would colour or move the terminal).
      truncate(singleLine(r.name), 40),
      describeArchitecture(r.spec),
      r.hyperparameters.optimizer,
      String(r.hyperparameters.learningRate),
      String(r.hyperparameters.batchSize),
      `${r.epochsCompleted}/${r.hyperparameters.epochs}`,
      r.bestValAccuracy === null ? '-' : `${pct(r.bestValAccuracy)} @${(r.bestValAccuracyEpoch ?? 0) + 1}`,
      pct(r.testAccuracy),
      duration(r.trainingDurationMs),
      r.backend?.kind ?? '-',
    ]),
  );
}

export function layersTable(layers: LayerReport[]): string {
  return table(
    ['#', 'LAYER', 'OUTPUT', 'PARAMS', 'FLOPS'],
    layers.map((l) => [
      String(l.index + 1),
      l.type,
      formatShape(l.outputShape),
      l.params.toLocaleString('en-US'),
      l.flops.toLocaleString('en-US'),
    ]),
  );
}

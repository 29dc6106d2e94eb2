// `layerlab inspect RUN IMAGE`: one PNG through a run's network, read as `layerlab predict` reads it (Draw's own
// preprocessing, png-input.ts then preprocessCanvas), answered by the engine's inspect:model: every layer's
// output summarised, the prediction, and the saliency map's strongest pixels. `--json` prints one line; without
// it a table and the input and the map drawn in text.
import type { ModelInspection, SaliencyMethod } from '#shared/contract.ts';
import { formatShape } from '#shared/model/index.ts';
import { printable, singleLine } from '#shared/plain-text.ts';
import { initBackend, type BackendPreference } from '../backend/backends.ts';
import { RunModelCache } from '../evaluate/model-cache.ts';
import { readPngImage } from '../evaluate/png-input.ts';
import { preprocessCanvas } from '../evaluate/preprocess.ts';
import { InspectRequestError, inspectModel } from '../inspect/inspect-model.ts';
import { CheckpointEpochError } from '../model/run-model.ts';
import type { Store } from '../store/index.ts';
import { pct, table } from './format.ts';

import type { WeightsChoice } from '#shared/weights.ts';
export interface InspectImageOptions {
  json?: boolean;
  backend?: BackendPreference;
  epoch?: number;
  /** The run's last or best epoch's weights (default: its default weights); not with epoch. */
  weights?: WeightsChoice;
  classIndex?: number;
  method?: SaliencyMethod;
}

/** The `--json` line. */
export interface ImageInspection {
  image: string;
  run: number;
  epoch: number;
  predicted: number;
  probabilities: number[];
  blank: boolean;
  layers: { index: number; type: string; shape: number[]; min: number; max: number; mean: number }[];
  saliency: {
    method: SaliencyMethod;
    classIndex: number;
    layerIndex: number | null;
    top: { x: number; y: number; value: number }[];
  };
  /** Only for a blank image: "<image>: blank — no ink found". */
  error?: string;
}

/** An error in the command's words: the option it came from rather than the request field. */
export class InspectUsageError extends Error {
  override name = 'InspectUsageError';
}

const FLAGS: Record<string, string> = {
  'saliency.classIndex': '--class',
  'saliency.method': '--method',
  epoch: '--epoch',
  weights: '--weights',
};

/** Prints the inspection and returns the exit code: 1 for a blank image (still printed with --json), else 0. */
export async function inspectImage(
  store: Store,
  runId: number,
  image: string,
  options: InspectImageOptions = {},
): Promise<number> {
  if (options.classIndex !== undefined && options.classIndex < 0)
    throw new InspectUsageError(`--class must be 0 or more, got ${options.classIndex}`);
  if (options.epoch !== undefined && options.epoch < 1)
    throw new InspectUsageError(`--epoch must be 1 or more, got ${options.epoch}`);
  await initBackend(options.backend ?? 'auto');
  // A FileReadError names the image and why it cannot be used.
  const { pixels } = preprocessCanvas(readPngImage(image));
  const models = new RunModelCache(store);
  let result: ModelInspection;
  try {
    result = await inspectModel(store, models, {
      runId,
      input: { pixels: Array.from(pixels) },
      epoch: options.epoch,
      weights: options.weights,
      saliency: { method: options.method ?? 'gradient-input', classIndex: options.classIndex },
    });
  } catch (err) {
    throw inWordsOfTheCommand(err);
  } finally {
    models.dispose();
  }
  const line = jsonLine(image, result);
  if (options.json) console.log(JSON.stringify(line));
  if (result.blank) {
    if (!options.json) console.error(`${singleLine(image)}: blank — no ink found`);
    return 1;
  }
  if (!options.json) console.log(humanReport(image, result, store.getRun(runId)?.name ?? ''));
  return 0;
}

function inWordsOfTheCommand(err: unknown): unknown {
  const field = (err as { issues?: { field?: string }[] } | null)?.issues?.[0]?.field;
  const flag = field && FLAGS[field];
  if (!flag || !(err instanceof InspectRequestError || err instanceof CheckpointEpochError)) return err;
  const reason = err.message.replace(/^inspect:model: [\w.]+: /, '');
  return new InspectUsageError(`${flag}: ${reason}`);
}

function jsonLine(image: string, result: ModelInspection): ImageInspection {
  const saliency = result.saliency!;
  return {
    image,
    run: result.runId,
    epoch: result.epoch,
    predicted: result.predicted,
    probabilities: result.probabilities,
    blank: result.blank,
    layers: result.layers.map(({ index, type, shape, min, max, mean }) => ({ index, type, shape, min, max, mean })),
    saliency: {
      method: saliency.method,
      classIndex: saliency.classIndex,
      layerIndex: saliency.layerIndex,
      top: saliency.top,
    },
    ...(result.blank ? { error: `${image}: blank — no ink found` } : {}),
  };
}

/** Darker to brighter. */
const RAMP = ' .:-=+*#%@';
const shade = (v: number) => RAMP[Math.min(RAMP.length - 1, Math.max(0, Math.round(v * (RAMP.length - 1))))];
const number = (v: number) =>
  Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.001) ? v.toExponential(2) : v.toFixed(4);

function humanReport(image: string, result: ModelInspection, runName: string): string {
  const label = (c: number) => singleLine(result.classes[c] ?? String(c));
  const width = Math.max(...result.probabilities.map((_, c) => label(c).length));
  const probabilities = result.probabilities
    .map((p, c) => `${label(c).padStart(width)}:${pct(p, 1).padStart(6)}`)
    .join(' ');
  const layers = table(
    ['#', 'LAYER', 'OUTPUT', 'MIN', 'MAX', 'MEAN'],
    result.layers.map((l) => [
      String(l.index + 1),
      l.type,
      formatShape(l.shape),
      number(l.min),
      number(l.max),
      number(l.mean),
    ]),
  );
  const saliency = result.saliency!;
  const what =
    saliency.method === 'grad-cam'
      ? `Grad-CAM on layer ${saliency.layerIndex! + 1} Conv2D`
      : 'gradient × input (signed; drawn as its size)';
  const top = saliency.top
    .slice(0, 10)
    .map(({ x, y, value }) => `(${x},${y}) ${value >= 0 ? '+' : ''}${value.toFixed(2)}`)
    .join('  ');
  const rows: string[] = [];
  for (let y = 0; y < 28; y++) {
    let input = '';
    let map = '';
    for (let x = 0; x < 28; x++) {
      input += shade(result.input[y * 28 + x]);
      map += shade(Math.abs(saliency.map[y * 28 + x]));
    }
    rows.push(`  |${input}|   |${map}|`);
  }
  return [
    `${singleLine(image)}: ${label(result.predicted)} (${pct(result.probabilities[result.predicted], 1)}) — run ${result.runId} “${singleLine(printable(runName))}”, epoch ${result.epoch} checkpoint`,
    `  ${probabilities}`,
    '',
    layers,
    '',
    `saliency: ${what}, for class ${label(saliency.classIndex)}; strongest pixels (x,y):`,
    `  ${top || '(none: the map is zero)'}`,
    '',
    `  ${'input the model saw'.padEnd(30)}   saliency map`,
    ...rows,
  ].join('\n');
}

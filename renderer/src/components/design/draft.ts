// The unsaved design kept in the renderer's localStorage (Electron keeps it in userData, across restarts), so
// a closed window, a crash or a restart loses no edits. The editor writes it shortly after each edit while the
// design has unsaved changes and removes it once they are saved or discarded. Pure: the storage is passed in.

import { formatDateTime } from '../../lib/dates.ts';

export const DRAFT_KEY = 'layerlab.design-draft';
const DRAFT_VERSION = 1;

export interface DesignDraft {
  /** The saved design it was opened from (Save overwrites it), or null. */
  name: string | null;
  /** Where an unnamed design came from, e.g. "Keras CNN example". */
  origin: string | null;
  /** As the user left it: valid or not. */
  spec: DraftSpec;
  /** JSON of the design as last opened or saved: the unsaved changes are measured against it. */
  baseline: string;
  /** When it was written (ms since the epoch). */
  savedAt: number;
}

/** What the editor needs to show a design, whatever its problems. */
export interface DraftSpec {
  name: string;
  inputShape: number[];
  layers: ({ type: string } & Record<string, unknown>)[];
}

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Returns an error message when the storage refused it (full, or unavailable), else null. */
export function writeDraft(storage: Storage, draft: DesignDraft): string | null {
  try {
    storage.setItem(DRAFT_KEY, JSON.stringify({ version: DRAFT_VERSION, ...draft }));
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** The kept draft, or null when there is none or it cannot be read back as a design. */
export function readDraft(storage: Storage): DesignDraft | null {
  let value: unknown;
  try {
    const text = storage.getItem(DRAFT_KEY);
    if (text === null) return null;
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value) || value.version !== DRAFT_VERSION) return null;
  const { name, origin, spec, baseline, savedAt } = value;
  if (!isNullableString(name) || !isNullableString(origin) || typeof baseline !== 'string') return null;
  if (typeof savedAt !== 'number' || !Number.isFinite(savedAt) || !isDraftSpec(spec)) return null;
  return { name, origin, spec, baseline, savedAt };
}

export function clearDraft(storage: Storage): void {
  try {
    storage.removeItem(DRAFT_KEY);
  } catch {
    // unavailable storage holds no draft either
  }
}

/** When a draft was saved, written as every date in the app is. */
export const formatDraftTime = formatDateTime;

function isDraftSpec(value: unknown): value is DraftSpec {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    Array.isArray(value.inputShape) &&
    value.inputShape.every((d) => typeof d === 'number') &&
    Array.isArray(value.layers) &&
    value.layers.every((layer) => isRecord(layer) && typeof layer.type === 'string')
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

// What a file or folder dropped on the window becomes: a spec JSON opens in Design, a folder is imported as an
// IDX dataset, anything else is refused with the reason. Pure: DropOverlay.svelte gathers the items from the
// drop event (with their paths, from preload) and file-actions.svelte.ts carries the action out.

export interface DroppedItem {
  name: string;
  /** Where it is on disk; '' when the page cannot tell (a File made in the page). */
  path: string;
  /** From the drag's file-system entry: true for a folder, false for a file, null when not known. */
  isDirectory: boolean | null;
}

export type DropAction =
  { kind: 'spec'; path: string } | { kind: 'dataset'; dir: string } | { kind: 'refused'; reason: string };

const refused = (reason: string): DropAction => ({ kind: 'refused', reason });

export const DROP_HINT = 'Drop a spec JSON to open it in Design, or an IDX folder to import it';

export function isSpecFileName(name: string): boolean {
  return /\.json$/i.test(name.trim());
}

/** The last part of a path, whichever separator it uses. */
export function baseName(path: string): string {
  return (
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() || path
  );
}

/** A spec file's name as a design's origin: "my-net.json" → "my-net". */
export function specFileTitle(path: string): string {
  return baseName(path).replace(/\.json$/i, '') || baseName(path);
}

/**
 * One item at a time: a .json file → open it in Design; a folder → import it (the engine checks its IDX files
 * and names what is wrong); an item whose kind is not known and is not .json → tried as a folder, for the same
 * reason. Other files, several items, or an item without a path are refused, saying what would work.
 */
export function classifyDrop(items: readonly DroppedItem[]): DropAction {
  if (items.length === 0) return refused(`Nothing that Layerlab opens was dropped. ${DROP_HINT}.`);
  if (items.length > 1)
    return refused(`${items.length} items were dropped: drop one spec JSON file or one IDX folder at a time.`);
  const [item] = items;
  const json = isSpecFileName(item.name) && item.isDirectory !== true;
  if (!json && item.isDirectory === false)
    return refused(`“${item.name}” is not a spec JSON file (.json) or a folder of IDX files. ${DROP_HINT}.`);
  if (!item.path) {
    const command = json ? 'File › Open Spec File…' : 'File › Import IDX Dataset…';
    return refused(`Layerlab cannot tell where “${item.name}” is on disk; use ${command} instead.`);
  }
  return json ? { kind: 'spec', path: item.path } : { kind: 'dataset', dir: item.path };
}

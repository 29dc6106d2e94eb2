// The datasets the app offers: the built-in ones and the IDX folders the user imported, each with whether it
// can be loaded now and its image counts.
import path from 'node:path';
import type { DatasetInfo } from '#shared/contract.ts';
import type { ImportedDatasetRecord, Store } from '../store/index.ts';
import { builtinSources, checkAvailability, idxFolderSource, loadDataset, type DatasetSource } from './datasets.ts';

export function datasetInfo(source: DatasetSource, imported: boolean): DatasetInfo {
  const status = checkAvailability(source);
  let counts = { trainCount: null as number | null, testCount: null as number | null };
  let reason = status.reason;
  if (status.available) {
    try {
      const { ref } = loadDataset(source); // cached per process; training needs it loaded anyway
      counts = { trainCount: ref.trainCount, testCount: ref.testCount };
    } catch (err) {
      reason = err instanceof Error ? err.message : String(err);
    }
  }
  return {
    id: source.id,
    name: source.name,
    description: source.description,
    classes: source.classes,
    available: reason === null,
    reason,
    imported,
    ...counts,
  };
}

function importedSource(record: ImportedDatasetRecord): DatasetSource | null {
  try {
    return { ...idxFolderSource(record.dir, record.name, record.classes), id: record.id };
  } catch {
    return null;
  }
}

/** The built-in datasets, then the imported ones (an imported folder that lost its files is listed as unavailable). */
export function datasetCatalog(imported: ImportedDatasetRecord[]): DatasetInfo[] {
  return [
    ...builtinSources().map((s) => datasetInfo(s, false)),
    ...imported.map((record) => {
      const source = importedSource(record);
      return source
        ? datasetInfo(source, true)
        : {
            id: record.id,
            name: record.name,
            description: `IDX files in ${record.dir}`,
            classes: record.classes,
            available: false,
            reason: `folder ${record.dir} no longer holds the IDX files`,
            imported: true,
            trainCount: null,
            testCount: null,
          };
    }),
  ];
}

/**
 * Checks a folder of IDX files by loading it, then records it in the store. Its classes stop at the highest
 * label its training set uses, so a folder of three classes does not offer ten.
 */
export function importIdxDataset(
  store: Pick<Store, 'saveDataset'>,
  dir: string | undefined,
  name?: string,
): DatasetInfo {
  if (!dir) throw new Error('datasets:import needs a folder');
  const source = idxFolderSource(dir, name);
  const dataset = loadDataset(source); // reads and checks all four files now, not at training time
  const classes = dataset.ref.classes.slice(0, Math.max(...dataset.train.labels) + 1);
  store.saveDataset({
    id: source.id,
    name: source.name,
    dir: path.resolve(dir),
    classes: classes.length >= 2 ? classes : dataset.ref.classes,
  });
  return datasetInfo({ ...source, classes }, true);
}

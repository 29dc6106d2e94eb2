// Saved designs: a spec is checked before it is stored, so the Design screen can only save what can train.
import { analyzeSpec } from '#shared/model/index.ts';
import type { DesignRecord, Store } from '../store/index.ts';

/** Saves the normalised spec; an invalid one throws with its issues, so the error envelope names the field. */
export function saveCheckedDesign(store: Pick<Store, 'saveDesign'>, name: string, spec: unknown): DesignRecord {
  const analysis = analyzeSpec(spec);
  if (!analysis.ok) throw Object.assign(new Error(analysis.issues.map((i) => i.message).join('\n')), { issues: analysis.issues });
  return store.saveDesign(name, analysis.spec);
}

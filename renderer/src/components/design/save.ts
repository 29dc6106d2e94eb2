// Saving the working design under a name: the spec takes the design's name, the engine validates and
// stores it, and the editor forgets its unsaved changes.
import { call } from '../../lib/api.ts';
import { app } from '../../lib/app-state.svelte.ts';
import { editor } from './editor.svelte.ts';

/** Spec names are limited to 100 characters; design names to 200. */
const SPEC_NAME_LENGTH = 100;

/** Resolves with the stored name; throws ApiError with the engine's message when the design is invalid. */
export async function saveDesign(name: string): Promise<string> {
  if (!app.design) throw new Error('There is no design to save.');
  // A plain copy: IPC cannot clone Svelte's state proxies.
  const spec = JSON.parse(JSON.stringify(app.design.spec));
  spec.name = name.slice(0, SPEC_NAME_LENGTH).trim();
  const record = await call('designs:save', { name, spec });
  editor.markSaved(record.name);
  return record.name;
}

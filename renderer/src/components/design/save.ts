// Saving the working design under a name: the spec takes the design's name, the engine checks and stores
// it (a design with problems too: it reopens as it was, and Train refuses it), and the editor forgets its
// unsaved changes.
import { call } from '../../lib/api.ts';
import { app } from '../../lib/app-state.svelte.ts';
import { editor } from './editor.svelte.ts';

/** Spec names are limited to 100 characters; design names to 200. */
const SPEC_NAME_LENGTH = 100;

/** What "Save as" offers: the design's saved name, else where it came from ("Keras CNN example"), else its spec's. */
export function suggestedName(): string {
  if (!app.design) return '';
  return app.design.name ?? editor.origin ?? (app.design.spec.name.trim() || 'Untitled design');
}

/** Resolves with the stored name; throws ApiError with the engine's message when it cannot be stored. */
export async function saveDesign(name: string): Promise<string> {
  if (!app.design) throw new Error('There is no design to save.');
  // A plain copy: IPC cannot clone Svelte's state proxies.
  const spec = JSON.parse(JSON.stringify(app.design.spec));
  spec.name = name.slice(0, SPEC_NAME_LENGTH).trim();
  const record = await call('designs:save', { name, spec });
  editor.markSaved(record.name);
  return record.name;
}

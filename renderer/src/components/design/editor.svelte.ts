// The Design screen's working state. The design itself lives in app.design (so Train sees every edit);
// this module keeps what the editor adds around it — layer identities, selection, undo/redo, the saved
// baseline and the draft of unsaved changes (draft.ts) — at module level so it survives switching screens.
import { untrack } from 'svelte';
import type { LayerSpec, ModelSpec } from '#shared/model/spec.ts';
import { app } from '../../lib/app-state.svelte.ts';
import { clearDraft, readDraft, writeDraft, type DesignDraft } from './draft.ts';
import { blankDesign, type EditableLayer } from './layers.ts';

interface Snapshot {
  spec: string;
  ids: number[];
  selected: number | null;
}

/** Edits of the same field within this window collapse into one undo step (typing "128" is one edit). */
const COALESCE_MS = 1200;
const HISTORY_LIMIT = 200;
/** The draft is written this long after the last edit (and at once when the window closes). */
const DRAFT_DELAY_MS = 400;

class DesignEditor {
  /** Stable identities for the layers, parallel to spec.layers (keys for rendering and focus). */
  ids = $state<number[]>([]);
  selected = $state<number | null>(null);
  /** Where the design came from when it has no saved name, e.g. "Keras CNN example". */
  origin = $state<string | null>(null);
  /** When the draft shown was written, if it was restored at start and not yet saved, discarded or replaced. */
  restoredAt = $state<number | null>(null);
  /** Why the draft could not be kept (storage full or unavailable), else null. */
  draftError = $state<string | null>(null);
  private baseline = $state('');
  private undoStack = $state<Snapshot[]>([]);
  private redoStack = $state<Snapshot[]>([]);
  private known: unknown = null;
  private nextId = 1;
  private lastEdit: { key: string; at: number } | null = null;
  /** The draft's content as last written or restored, so an unchanged design is not written again. */
  private draftContent: string | null = null;
  private keepingDrafts = false;

  spec = $derived(app.design?.spec ?? null);
  dirty = $derived(app.design ? JSON.stringify(app.design.spec) !== this.baseline : false);
  canUndo = $derived(this.undoStack.length > 0);
  canRedo = $derived(this.redoStack.length > 0);

  /** Takes over a design another screen (or an earlier session of this one) put in app.design. */
  adopt(): void {
    if (app.design === this.known) return;
    this.known = app.design;
    this.origin = null;
    this.reset(app.design?.spec ?? null);
  }

  /** Replaces the working design (opening a template or a saved design). */
  load(name: string | null, spec: ModelSpec, origin: string | null): void {
    app.design = { name, spec: $state.snapshot(spec) as ModelSpec };
    this.known = app.design;
    this.origin = origin;
    this.reset(app.design.spec);
    this.selected = spec.layers.length > 0 ? 0 : null;
  }

  /** "New blank design" (asking about unsaved changes is the caller's). */
  newBlank(): void {
    this.load(null, blankDesign(), null);
  }

  /** Opens the draft an earlier session left, if any; true when there was one. */
  restoreDraft(storage: Storage = localStorage): boolean {
    const draft = readDraft(storage);
    if (!draft) return false;
    if (JSON.stringify(draft.spec) === draft.baseline) {
      clearDraft(storage); // nothing unsaved in it after all
      return false;
    }
    const spec = draft.spec as unknown as ModelSpec; // possibly unfinished, as every design being edited
    app.design = { name: draft.name, spec };
    this.known = app.design;
    this.origin = draft.origin;
    this.reset(app.design.spec);
    this.baseline = draft.baseline;
    this.draftContent = draftContent(draft);
    this.restoredAt = draft.savedAt;
    return true;
  }

  /** Puts the design back as it was last opened or saved; Ctrl+Z brings the changes back. */
  discardChanges(): void {
    if (!app.design || !this.baseline) return;
    this.record(null);
    app.design.spec = JSON.parse(this.baseline);
    this.ids = app.design.spec.layers.map(() => this.nextId++);
    this.selected = null;
    this.restoredAt = null;
  }

  /**
   * From now on, keeps the unsaved changes as a draft in `storage`, and has the window ask before it
   * closes or reloads over them (main shows the question; see electron/main/window.ts). Once per app.
   */
  keepDrafts(storage: Storage = localStorage): void {
    if (this.keepingDrafts) return;
    this.keepingDrafts = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const write = () => {
      if (timer) clearTimeout(timer);
      timer = null;
      const draft = this.currentDraft();
      if (!draft || !this.dirty) return;
      const content = draftContent(draft);
      if (content === this.draftContent) return;
      this.draftError = writeDraft(storage, draft);
      if (this.draftError === null) this.draftContent = content;
    };
    $effect.root(() => {
      $effect(() => {
        // Every change of the design, its name, origin or baseline (dirty reads the baseline).
        void JSON.stringify(app.design);
        void this.origin;
        const dirty = this.dirty;
        untrack(() => {
          if (timer) clearTimeout(timer);
          timer = null;
          if (dirty) {
            timer = setTimeout(write, DRAFT_DELAY_MS);
          } else {
            clearDraft(storage);
            this.draftContent = null;
          }
        });
      });
    });
    window.addEventListener('beforeunload', (event) => {
      write();
      if (!this.dirty) return;
      // Electron turns this into webContents 'will-prevent-unload', where main asks Leave or Stay.
      event.preventDefault();
      event.returnValue = 'The design has unsaved changes.';
    });
  }

  /** After a successful save under `name`: the spec carries the design's name, and nothing is unsaved. */
  markSaved(name: string): void {
    if (!app.design) return;
    app.design.name = name;
    app.design.spec.name = name.slice(0, 100).trim();
    this.origin = null;
    this.baseline = JSON.stringify(app.design.spec);
    this.restoredAt = null;
  }

  /** The saved design this was opened from was deleted: keep editing it as an unsaved design. */
  forgetName(): void {
    if (app.design) app.design.name = null;
  }

  /** Sets (or, with undefined, removes) fields of one layer. */
  updateLayer(index: number, patch: Record<string, unknown>): void {
    const layer = this.spec?.layers[index] as EditableLayer | undefined;
    if (!layer) return;
    this.record(`${this.ids[index]}:${Object.keys(patch).join(',')}`);
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) delete layer[field];
      else layer[field] = value;
    }
  }

  insert(index: number, layer: LayerSpec): void {
    if (!this.spec) return;
    this.record(null);
    this.spec.layers.splice(index, 0, layer);
    this.ids.splice(index, 0, this.nextId++);
    this.selected = index;
  }

  remove(index: number): void {
    if (!this.spec || index < 0 || index >= this.spec.layers.length) return;
    this.record(null);
    this.spec.layers.splice(index, 1);
    this.ids.splice(index, 1);
    const count = this.spec.layers.length;
    this.selected = count === 0 ? null : Math.min(index, count - 1);
  }

  duplicate(index: number): void {
    const layer = this.spec?.layers[index];
    if (layer) this.insert(index + 1, structuredClone($state.snapshot(layer)) as LayerSpec);
  }

  /** Moves layer `from` so that it ends up at position `to` (both 0-based, in the current list). */
  move(from: number, to: number): void {
    if (!this.spec) return;
    const count = this.spec.layers.length;
    if (from === to || from < 0 || to < 0 || from >= count || to >= count) return;
    this.record(null);
    const [layer] = this.spec.layers.splice(from, 1);
    this.spec.layers.splice(to, 0, layer);
    const [id] = this.ids.splice(from, 1);
    this.ids.splice(to, 0, id);
    this.selected = to;
  }

  undo(): void {
    const previous = this.undoStack.pop();
    if (!previous) return;
    this.redoStack.push(this.snapshot());
    this.restore(previous);
  }

  redo(): void {
    const next = this.redoStack.pop();
    if (!next) return;
    this.undoStack.push(this.snapshot());
    this.restore(next);
  }

  private record(key: string | null): void {
    const now = Date.now();
    const coalesce = key !== null && this.lastEdit?.key === key && now - this.lastEdit.at < COALESCE_MS;
    this.lastEdit = key === null ? null : { key, at: now };
    if (coalesce) return;
    this.undoStack.push(this.snapshot());
    if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    this.redoStack = [];
  }

  private currentDraft(): DesignDraft | null {
    if (!app.design) return null;
    const spec = JSON.parse(JSON.stringify(app.design.spec));
    return { name: app.design.name, origin: this.origin, spec, baseline: this.baseline, savedAt: Date.now() };
  }

  private snapshot(): Snapshot {
    return { spec: JSON.stringify(this.spec), ids: [...this.ids], selected: this.selected };
  }

  private restore(snapshot: Snapshot): void {
    if (!app.design) return;
    app.design.spec = JSON.parse(snapshot.spec);
    this.ids = snapshot.ids;
    this.selected = snapshot.selected;
    this.lastEdit = null;
  }

  private reset(spec: ModelSpec | null): void {
    this.ids = (spec?.layers ?? []).map(() => this.nextId++);
    this.selected = null;
    this.baseline = spec ? JSON.stringify(spec) : '';
    this.undoStack = [];
    this.redoStack = [];
    this.lastEdit = null;
    this.restoredAt = null;
  }
}

/** A draft without its time: what decides whether it needs writing again. */
function draftContent({ name, origin, spec, baseline }: DesignDraft): string {
  return JSON.stringify({ name, origin, spec, baseline });
}

export const editor = new DesignEditor();

// What the inside view is set to show, owned by the screen that shows it (Draw, or Evaluate's image dialog) so
// the requests it sends follow the settings: a saliency map is asked for only while the Saliency tab is open.
import type { SaliencyMethod } from '#shared/contract.ts';
import type { ScaleMode } from './layers.ts';
import type { InspectTarget } from './live-inspector.svelte.ts';

export type InspectTab = 'layers' | 'saliency' | 'filters';

export class InspectSettings {
  tab = $state<InspectTab>('layers');
  method = $state<SaliencyMethod>('gradient-input');
  /** The class the saliency map explains; null: whatever the model predicts. */
  classIndex = $state<number | null>(null);
  opacity = $state(0.8);
  scaleMode = $state<ScaleMode>('layer');
  /** Two runs side by side: the layer (index in the first run's design) shown for both. */
  layerIndex = $state(0);
  /** Two runs side by side: whose filters the Filters tab shows (0 or 1). */
  filtersOf = $state(0);

  /** The saliency part of an inspect:model request for these settings. */
  saliency(): { method: SaliencyMethod; classIndex?: number } | null {
    if (this.tab !== 'saliency') return null;
    return this.classIndex === null ? { method: this.method } : { method: this.method, classIndex: this.classIndex };
  }

  /**
   * The requests for one run. With a class picked ("why not 9?") and room for it (`contrast`: one run shown),
   * also the answer's own map, to set beside it: the evidence for what it read against the evidence for 9.
   */
  targets(runId: number, contrast: boolean): InspectTarget[] {
    const saliency = this.saliency();
    const main: InspectTarget = { runId, saliency };
    if (!contrast || saliency?.classIndex === undefined) return [main];
    return [main, { runId, saliency: { method: saliency.method } }];
  }
}

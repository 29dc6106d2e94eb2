// Which of a run's weights a screen shows, in words: "weights after epoch 4 (best val loss)", the Runs table's
// "98.9% · best ep 4" with both test accuracies in its tooltip. The best epoch itself is defined in
// electron/shared/weights.ts (the engine's definition).
import type { RunRecord } from '#shared/records.ts';
import {
  BEST_MONITOR_LABELS,
  bestEpochOf,
  defaultWeightsOf,
  describeWeights,
  noBestReason,
  weightsEpochOf,
  type WeightsChoice,
} from '#shared/weights.ts';

export { bestEpochOf, defaultWeightsOf, noBestReason, weightsEpochOf, type WeightsChoice };

/** "weights after epoch 4 (best val loss)" / "weights after epoch 5 (last)". */
export function weightsLabel(run: RunRecord, which: WeightsChoice): string {
  const text = describeWeights(run, which);
  return text.startsWith('after') ? `weights ${text}` : text;
}

/** The label for the weights of checkpoint `epoch` (what a prediction answered with). */
export function epochWeightsLabel(run: RunRecord, epoch: number): string {
  if (epoch === bestEpochOf(run)?.epoch) return weightsLabel(run, 'best');
  if (epoch === run.epochsCompleted) return weightsLabel(run, 'last');
  return `weights after epoch ${epoch}`;
}

/** Whether the run has a best epoch distinct from its last (so choosing between them matters). */
export function hasDistinctBest(run: RunRecord): boolean {
  const best = bestEpochOf(run);
  return best !== null && best.epoch !== run.epochsCompleted;
}

/** The toggle's option text: "Best · ep 4" / "Last · ep 5". */
export function optionLabel(run: RunRecord | null, which: WeightsChoice): string {
  const name = which === 'best' ? 'Best' : 'Last';
  const epoch = run ? weightsEpochOf(run, which) : null;
  return epoch === null ? name : `${name} · ep ${epoch}`;
}

const percent = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);

/**
 * The Runs table's Test acc cell: the test accuracy of the run's default weights with which epoch they are
 * ("98.9% · best ep 4", "98.7% · last ep 5", "98.9% · ep 5" when the last is the only or also the best), and a
 * tooltip with both weights' accuracies. `value` is what the cell shows, and sorts by.
 */
export function testAccuracyCell(run: RunRecord): { text: string; tag: string; title: string; value: number | null } {
  const value = run.testAccuracy;
  if (value === null) return { text: '—', tag: '', title: 'Not evaluated on the test set', value };
  const which = defaultWeightsOf(run);
  const epoch = weightsEpochOf(run, which);
  const distinct = hasDistinctBest(run);
  const tag = epoch === null ? '' : distinct ? ` · ${which} ep ${epoch}` : ` · ep ${epoch}`;
  const best = bestEpochOf(run);
  const lines: string[] = [];
  for (const choice of ['best', 'last'] as const) {
    if (choice === 'best' && !distinct) continue;
    const at = weightsEpochOf(run, choice);
    const score = run.testEvaluations.find((e) => e.epoch === at)?.testAccuracy ?? null;
    const mark = choice === which ? ' (shown, the run’s default)' : '';
    lines.push(
      `${percent(score)} with the ${weightsLabel(run, choice)}${score === null && at !== null ? ' — not evaluated' : ''}${mark}`,
    );
  }
  if (!best) lines.push(`No best epoch: ${describeWeights(run, 'best').replace(/^no best epoch \((.*)\)$/, '$1')}.`);
  else if (!distinct) lines.push(`Its last epoch is also its best by ${BEST_MONITOR_LABELS[best.monitor]}.`);
  return { text: `${percent(value)}${tag}`, tag, title: `Test accuracy: ${lines.join('; ')}`, value };
}

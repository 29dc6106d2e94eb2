// Seeded pseudo-random numbers so the same seed gives the same subset, split and batch order on every backend.

export { deriveSeed, seededRandom } from '#shared/random.ts';
import { deriveSeed, seededRandom } from '#shared/random.ts';

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(items: T, random: () => number): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

export function range(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

export interface TrainingSplit {
  train: Uint32Array;
  validation: Uint32Array;
}

/**
 * Picks the training subset (trainSize images, or all) and holds out the validation fraction from it.
 * Both depend only on the seed and the set's size.
 */
export function splitTrainingSet(
  total: number,
  trainSize: number | null,
  validationSplit: number,
  seed: number,
): TrainingSplit {
  const chosen = shuffleInPlace(range(total), seededRandom(deriveSeed(seed, 1))).subarray(0, trainSize ?? total);
  const validationCount = Math.round(chosen.length * validationSplit);
  return {
    train: chosen.slice(0, chosen.length - validationCount),
    validation: chosen.slice(chosen.length - validationCount),
  };
}

/** The order in which an epoch visits the training images: fixed by (seed, epoch), so a resumed run continues identically. */
export function epochOrder(train: Uint32Array, seed: number, epoch: number): Uint32Array {
  return shuffleInPlace(train.slice(), seededRandom(deriveSeed(seed, 2, epoch)));
}

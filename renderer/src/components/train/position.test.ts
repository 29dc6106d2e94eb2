import { describe, expect, it } from 'vitest';
import { shownPosition } from './position.ts';

describe('shownPosition', () => {
  it('follows the live batch while the session runs', () => {
    expect(shownPosition({ latest: { epoch: 2, batch: 40 }, ended: false, epochsDone: 2, fromEpoch: 0 })).toEqual({
      epoch: 3,
      batch: 41,
    });
  });

  it('shows the stored epochs, not the lost partial epoch, once an interrupted session ends', () => {
    // Killed in the middle of the third epoch: two epochs are checkpointed, resume starts at the third.
    expect(shownPosition({ latest: { epoch: 2, batch: 40 }, ended: true, epochsDone: 2, fromEpoch: 0 })).toEqual({
      epoch: 2,
      batch: null,
    });
  });

  it('starts a resumed session at its first new epoch before any batch arrives', () => {
    expect(shownPosition({ latest: null, ended: false, epochsDone: 2, fromEpoch: 2 })).toEqual({ epoch: 3, batch: 0 });
    expect(shownPosition({ latest: null, ended: false, epochsDone: 0, fromEpoch: null })).toEqual({
      epoch: 1,
      batch: 0,
    });
  });
});

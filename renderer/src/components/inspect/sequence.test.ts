import { describe, expect, it } from 'vitest';
import { SequenceGate } from './sequence.ts';

describe('sequence numbers of live requests', () => {
  it('shows answers in order and drops one that arrives after a newer one', () => {
    const gate = new SequenceGate();
    const first = gate.issue();
    const second = gate.issue();
    expect(gate.isLatest(first)).toBe(false);
    expect(gate.isLatest(second)).toBe(true);
    expect(gate.accept(second)).toBe(true);
    expect(gate.accept(first)).toBe(false); // stale: the newer answer is on screen
    expect(gate.current).toBe(second);
    const third = gate.issue();
    expect(gate.accept(third)).toBe(true);
    expect(gate.current).toBe(third);
  });

  it('never accepts the same answer twice or one never asked', () => {
    const gate = new SequenceGate();
    const seq = gate.issue();
    expect(gate.accept(seq)).toBe(true);
    expect(gate.accept(seq)).toBe(false);
    expect(gate.accept(seq + 1)).toBe(false);
  });

  it('drops every answer in flight when the input is cleared', () => {
    const gate = new SequenceGate();
    const before = gate.issue();
    gate.invalidate();
    expect(gate.accept(before)).toBe(false);
    expect(gate.current).toBe(0);
    expect(gate.isLatest(before)).toBe(false);
    const after = gate.issue();
    expect(gate.accept(after)).toBe(true);
  });

  it('forgets the answer on screen when invalidated', () => {
    const gate = new SequenceGate();
    expect(gate.accept(gate.issue())).toBe(true);
    gate.invalidate();
    expect(gate.current).toBe(0);
  });
});

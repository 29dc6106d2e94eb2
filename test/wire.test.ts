// The dev bridge's text encoding (electron/shared/wire.ts): typed arrays survive the round trip bit for bit.
import { describe, expect, it } from 'vitest';
import { fromWireNode, toWire } from '#shared/wire.ts';

describe('wire encoding', () => {
  it('keeps Float32Array values exactly, including views, specials and negative zero', () => {
    const values = Float32Array.from([0, -0, 1.5, -3.25e-8, 3.4028234663852886e38, 1e-45, NaN, Infinity, -Infinity]);
    const backing = new Float32Array(16).fill(7);
    const view = backing.subarray(3, 6);
    const decoded = fromWireNode(toWire({ values, view, nested: [{ map: new Float32Array(784).fill(0.25) }] })) as {
      values: Float32Array;
      view: Float32Array;
      nested: { map: Float32Array }[];
    };
    expect(decoded.values).toBeInstanceOf(Float32Array);
    expect(new Uint8Array(decoded.values.buffer)).toEqual(new Uint8Array(values.buffer));
    expect(Object.is(decoded.values[1], -0)).toBe(true);
    expect(Array.from(decoded.view)).toEqual([7, 7, 7]); // the view's own values, not the whole buffer
    expect(decoded.nested[0].map).toEqual(new Float32Array(784).fill(0.25));
  });

  it('keeps bytes and plain values as before', () => {
    const decoded = fromWireNode(
      toWire({ data: new Uint8ClampedArray([0, 128, 255]), n: 1, s: 'x', a: [1, null] }),
    ) as {
      data: Uint8ClampedArray;
    };
    expect(decoded).toEqual({ data: new Uint8ClampedArray([0, 128, 255]), n: 1, s: 'x', a: [1, null] });
    // A view of part of a larger buffer sends only its bytes.
    const part = new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 3);
    expect(fromWireNode(toWire(part))).toEqual(new Uint8ClampedArray([2, 3]));
  });

  it('sends a layer of inspect:model as compact text (base64, not a list of numbers)', () => {
    const values = Float32Array.from({ length: 21632 }, (_, i) => Math.sin(i));
    const text = toWire({ values });
    expect(text.length).toBeLessThan(values.byteLength * 1.4);
    expect((fromWireNode(text) as { values: Float32Array }).values).toEqual(values);
  });
});

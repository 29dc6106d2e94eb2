// JSON encoding that keeps typed arrays, for transports that only carry text (the browser dev bridge): bytes
// (Uint8Array, Uint8ClampedArray) as { __bytes: base64 }, and float32 values (inspect:model's layer outputs and
// saliency maps, inspect:filters' kernels) as { __float32: base64 of their little-endian bytes }, bit for bit.

/** Base64 of a typed array's own bytes (not of the whole buffer it may be a view of). */
const base64Of = (view: ArrayBufferView) =>
  Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');

export function toWire(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v instanceof Uint8Array || v instanceof Uint8ClampedArray) return { __bytes: base64Of(v) };
    if (v instanceof Float32Array) return { __float32: base64Of(v) };
    return v;
  });
}

export function fromWireNode(text: string): unknown {
  return JSON.parse(text, (_key, v) => {
    if (!v || typeof v !== 'object') return v;
    if (typeof v.__bytes === 'string') return new Uint8ClampedArray(Buffer.from(v.__bytes, 'base64'));
    if (typeof v.__float32 === 'string') {
      const bytes = Buffer.from(v.__float32, 'base64');
      // Copied into a buffer of its own: aligned for Float32Array whatever offset Buffer's pool gave.
      return new Float32Array(Uint8Array.from(bytes).buffer, 0, Math.floor(bytes.byteLength / 4));
    }
    return v;
  });
}

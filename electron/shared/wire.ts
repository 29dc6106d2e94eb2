// JSON encoding that keeps typed arrays, for transports that only carry text (the browser dev bridge).
export function toWire(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v instanceof Uint8Array || v instanceof Uint8ClampedArray ? { __bytes: Buffer.from(v).toString('base64') } : v,
  );
}

export function fromWireNode(text: string): unknown {
  return JSON.parse(text, (_key, v) =>
    v && typeof v === 'object' && typeof v.__bytes === 'string'
      ? new Uint8ClampedArray(Buffer.from(v.__bytes, 'base64'))
      : v,
  );
}

// TensorBoard event files, written without TensorFlow: a TFRecord file (each record framed as
//   uint64 length (little-endian) | uint32 masked CRC-32C of those 8 bytes | data | uint32 masked CRC-32C of data)
// whose records are serialized tensorflow.Event protocol buffers, encoded here by hand (only these fields):
//   Event   { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//   Summary { repeated Value value = 1; }
//   Value   { string tag = 1; float simple_value = 2; }
// The first event of a file carries file_version "brain.Event:2" and no summary, as TensorFlow's writers do.
import { maskedCrc32c } from './crc32c.ts';

export const FILE_VERSION = 'brain.Event:2';

export interface Scalar {
  tag: string;
  value: number;
}

export interface SummaryEvent {
  /** Seconds since 1970 (fractional), as TensorFlow records it. */
  wallTime: number;
  step: number;
  scalars: Scalar[];
}

const utf8 = new TextEncoder();

/** Appends protobuf wire bytes; only what Event needs: varints, fixed64 doubles, fixed32 floats, length-delimited. */
class ProtoWriter {
  private bytes: number[] = [];

  private varint(n: number): void {
    // Steps are safe integers: plain arithmetic instead of 32-bit shifts, which would cut them at 2^31.
    while (n >= 0x80) {
      this.bytes.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.bytes.push(n);
  }

  private key(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint(field * 8 + wireType);
  }

  uint64(field: number, n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`a step must be a whole number >= 0 (got ${n})`);
    this.key(field, 0);
    this.varint(n);
    return this;
  }

  double(field: number, x: number): this {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, x, true);
    this.key(field, 1);
    for (let i = 0; i < 8; i++) this.bytes.push(b.getUint8(i));
    return this;
  }

  float(field: number, x: number): this {
    const b = new DataView(new ArrayBuffer(4));
    b.setFloat32(0, x, true);
    this.key(field, 5);
    for (let i = 0; i < 4; i++) this.bytes.push(b.getUint8(i));
    return this;
  }

  bytesField(field: number, data: Uint8Array): this {
    this.key(field, 2);
    this.varint(data.length);
    for (const byte of data) this.bytes.push(byte);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytesField(field, utf8.encode(s));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** One serialized tensorflow.Event. Step 0 is left out, as proto3 leaves out defaults. */
export function encodeEvent(event: { wallTime: number; step?: number; fileVersion?: string; scalars?: Scalar[] }) {
  const w = new ProtoWriter().double(1, event.wallTime);
  if (event.step) w.uint64(2, event.step);
  if (event.fileVersion !== undefined) w.string(3, event.fileVersion);
  if (event.scalars?.length) {
    const summary = new ProtoWriter();
    for (const { tag, value } of event.scalars)
      summary.bytesField(1, new ProtoWriter().string(1, tag).float(2, value).finish());
    w.bytesField(5, summary.finish());
  }
  return w.finish();
}

/** One TFRecord: length, its masked CRC, the data, the data's masked CRC. */
export function frameRecord(data: Uint8Array): Buffer {
  const record = Buffer.alloc(8 + 4 + data.length + 4);
  record.writeBigUInt64LE(BigInt(data.length), 0);
  record.writeUInt32LE(maskedCrc32c(record.subarray(0, 8)), 8);
  record.set(data, 12);
  record.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return record;
}

/** A whole event file: the file_version event at `startWallTime`, then the events in the order given. */
export function eventFileBytes(startWallTime: number, events: SummaryEvent[]): Buffer {
  const records = [frameRecord(encodeEvent({ wallTime: startWallTime, fileVersion: FILE_VERSION }))];
  for (const event of events) records.push(frameRecord(encodeEvent(event)));
  return Buffer.concat(records);
}

// Messages between Electron main and the engine process (a utilityProcess, or a child Node process in tests).
// Structured-clone friendly: typed arrays cross as they are.
import type { Channel, Envelope } from './contract.ts';
import { describeValue } from './request-checks.ts';
import type { RunEvent } from './types.ts';

/** Passed to the engine process in the LAYERLAB_ENGINE_CONFIG environment variable, as JSON. */
export interface EngineConfig {
  dbPath: string;
  /** Checkpoints go to <dataDir>/runs. */
  dataDir: string;
  /** Main's pid: the engine exits (its run recorded interrupted) once that process is gone. */
  parentPid?: number;
}

export type MainToEngine = { kind: 'request'; id: number; channel: Channel; payload: unknown } | { kind: 'shutdown' };

/** A message to the engine as it reads one: a malformed message is reported, never acted on. */
export type ReadMessage =
  { ok: true; message: MainToEngine } | { ok: false; reason: string; /** To answer, when it has one. */ id?: number };

/** Checks the envelope of a message from main; the request's channel and payload are EngineService.handle's to check. */
export function readMainMessage(raw: unknown): ReadMessage {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, reason: `expected a message object, got ${describeValue(raw)}` };
  const { kind, id, channel, payload } = raw as Record<string, unknown>;
  const replyId = typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined;
  if (kind === 'shutdown') return { ok: true, message: { kind: 'shutdown' } };
  if (kind !== 'request')
    return {
      ok: false,
      reason: `unknown message kind ${describeValue(kind)} (expected 'request' or 'shutdown')`,
      id: replyId,
    };
  if (replyId === undefined) return { ok: false, reason: `a request needs an integer id, got ${describeValue(id)}` };
  return { ok: true, message: { kind: 'request', id: replyId, channel: channel as Channel, payload } };
}

export type EngineToMain =
  | { kind: 'ready'; runtime: string }
  | { kind: 'response'; id: number; envelope: Envelope<unknown> }
  | { kind: 'event'; event: RunEvent }
  | { kind: 'fatal'; message: string };

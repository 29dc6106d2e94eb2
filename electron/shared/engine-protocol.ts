// Messages between Electron main and the engine process (a utilityProcess, or a child Node process in tests).
// Structured-clone friendly: typed arrays cross as they are.
import type { Channel, Envelope } from './contract.ts';
import type { RunEvent } from './types.ts';

/** Passed to the engine process in the LAYERLAB_ENGINE_CONFIG environment variable, as JSON. */
export interface EngineConfig {
  dbPath: string;
  /** Checkpoints go to <dataDir>/runs. */
  dataDir: string;
}

export type MainToEngine =
  | { kind: 'request'; id: number; channel: Channel; payload: unknown }
  | { kind: 'shutdown' };

export type EngineToMain =
  | { kind: 'ready'; runtime: string }
  | { kind: 'response'; id: number; envelope: Envelope<unknown> }
  | { kind: 'event'; event: RunEvent }
  | { kind: 'fatal'; message: string };

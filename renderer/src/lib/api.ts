// The renderer's only door to the engine: the typed API that preload exposes as window.layerlab.
import type { Channel, EngineStatus, LayerlabApi, RequestOf, Responses, TrainingEvent } from '#shared/contract.ts';

declare global {
  interface Window {
    layerlab: LayerlabApi;
  }
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Calls a channel; resolves with its value or throws an ApiError carrying the engine's message. */
export async function call<C extends Channel>(
  channel: C,
  ...request: RequestOf<C> extends undefined ? [] : [RequestOf<C>]
): Promise<Responses[C]> {
  const envelope = await window.layerlab.invoke(channel, request[0] as RequestOf<C>);
  if (envelope.ok) return envelope.value;
  throw new ApiError(envelope.error.message, envelope.error.field);
}

export function onTrainingEvent(listener: (event: TrainingEvent) => void): () => void {
  return window.layerlab.onTrainingEvent(listener);
}

export function onMenuCommand(listener: (command: string) => void): () => void {
  return window.layerlab.onMenuCommand(listener);
}

export function onEngineStatus(listener: (status: EngineStatus) => void): () => void {
  return window.layerlab.onEngineStatus(listener);
}

/** Where a dropped File is on disk, or '' when the page cannot tell (a File made in the page, an older preload). */
export function pathForFile(file: File): string {
  try {
    return typeof window.layerlab.pathForFile === 'function' ? window.layerlab.pathForFile(file) : '';
  } catch {
    return '';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// Entry of the engine process. Electron main starts it as a utilityProcess (messages on process.parentPort),
// or, for tests, as a child Node process (messages on process.send / 'message').
import type { EngineConfig, EngineToMain, MainToEngine } from '#shared/engine-protocol.ts';
import { EngineService } from './service.ts';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: EngineToMain, sent?: () => void): void {
  if (parentPort) {
    parentPort.postMessage(message);
    sent?.();
  } else process.send?.(message, undefined, {}, () => sent?.());
}

function onMessage(listener: (message: MainToEngine) => void): void {
  if (parentPort) parentPort.on('message', (event) => listener(event.data as MainToEngine));
  else process.on('message', (message) => listener(message as MainToEngine));
}

/** Reports the failure to main, then exits once the message is out (process.send is asynchronous). */
function fail(message: string): void {
  send({ kind: 'fatal', message }, () => process.exit(1));
  setTimeout(() => process.exit(1), 2000).unref();
}

function start(): EngineService | null {
  let config: EngineConfig;
  try {
    config = JSON.parse(process.env.LAYERLAB_ENGINE_CONFIG ?? '');
  } catch {
    fail('LAYERLAB_ENGINE_CONFIG must hold {"dbPath": ..., "dataDir": ...} as JSON');
    return null;
  }
  try {
    return new EngineService({ ...config, emit: (event) => send({ kind: 'event', event }) });
  } catch (err) {
    fail(`engine could not start: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

const service = start();

onMessage(async (message) => {
  if (!service) return;
  if (message.kind === 'shutdown') {
    await service.shutdown();
    process.exit(0);
  }
  if (message.kind === 'request') {
    const envelope = await service.handle(message.channel, message.payload);
    send({ kind: 'response', id: message.id, envelope });
  }
});

process.on('uncaughtException', (err) => fail(`engine crashed: ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) => fail(`engine crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));

if (service) send({ kind: 'ready', runtime: `${process.versions.electron ? `Electron ${process.versions.electron} utility process` : 'Node'} ${process.version}` });

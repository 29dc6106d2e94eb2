// Entry of the engine process. Electron main starts it as a utilityProcess (messages on process.parentPort),
// or, for tests, as a child Node process (messages on process.send / 'message').
import type { EngineConfig, EngineToMain, MainToEngine } from '../shared/engine-protocol.ts';
import { EngineService } from './service.ts';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: EngineToMain): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

function onMessage(listener: (message: MainToEngine) => void): void {
  if (parentPort) parentPort.on('message', (event) => listener(event.data as MainToEngine));
  else process.on('message', (message) => listener(message as MainToEngine));
}

function fail(message: string): never {
  send({ kind: 'fatal', message });
  process.exit(1);
}

let config: EngineConfig;
try {
  config = JSON.parse(process.env.LAYERLAB_ENGINE_CONFIG ?? '');
} catch {
  fail('LAYERLAB_ENGINE_CONFIG must hold {"dbPath": ..., "dataDir": ...} as JSON');
}

let service: EngineService;
try {
  service = new EngineService({ ...config, emit: (event) => send({ kind: 'event', event }) });
} catch (err) {
  fail(`engine could not start: ${err instanceof Error ? err.message : String(err)}`);
}

onMessage(async (message) => {
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

send({ kind: 'ready', runtime: `${process.versions.electron ? `Electron ${process.versions.electron} utility process` : 'Node'} ${process.version}` });

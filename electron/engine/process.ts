// Entry of the engine process. Electron main starts it as a utilityProcess (messages on process.parentPort),
// or, for tests, as a child Node process (messages on process.send / 'message').
import { readMainMessage, type EngineConfig, type EngineToMain } from '#shared/engine-protocol.ts';
import type { Envelope } from '#shared/contract.ts';
import { watchParent } from './parent-watch.ts';
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

function onMessage(listener: (message: unknown) => void): void {
  if (parentPort) parentPort.on('message', (event) => listener(event?.data));
  else process.on('message', (message) => listener(message));
}

/** An answer that cannot be sent (not structured-cloneable) is answered with why, so the caller is not left waiting. */
function reply(id: number, envelope: Envelope<unknown>): void {
  try {
    send({ kind: 'response', id, envelope });
  } catch (err) {
    send({
      kind: 'response',
      id,
      envelope: {
        ok: false,
        error: { message: `the engine could not send its answer: ${err instanceof Error ? err.message : String(err)}` },
      },
    });
  }
}

/** Reports the failure to main, then exits once the message is out (process.send is asynchronous). */
function fail(message: string): void {
  send({ kind: 'fatal', message }, () => process.exit(1));
  setTimeout(() => process.exit(1), 2000).unref();
}

/** Past this, an engine whose app is gone exits even if recording its run interrupted is still under way. */
const LEAVE_DEADLINE_MS = 1500;
let leaving = false;

/** The app is gone: stop training, record the run interrupted, and exit (within about a second). */
async function leave(why: string): Promise<void> {
  if (leaving) return;
  leaving = true;
  setTimeout(() => process.exit(1), LEAVE_DEADLINE_MS);
  try {
    await service?.abandon(`the app that started this engine ended (${why}); resume the run from its last checkpoint`);
  } finally {
    process.exit(0);
  }
}

function start(): EngineService | null {
  let config: EngineConfig;
  try {
    config = JSON.parse(process.env.LAYERLAB_ENGINE_CONFIG ?? '');
  } catch {
    fail('LAYERLAB_ENGINE_CONFIG must hold {"dbPath": ..., "dataDir": ...} as JSON');
    return null;
  }
  watchParent(Number.isSafeInteger(config?.parentPid) ? config.parentPid : undefined, (why) => void leave(why));
  try {
    const service = new EngineService({ ...config, emit: (event) => send({ kind: 'event', event }) });
    // On stderr, with the engine's other diagnostics (stdout stays quiet); main copies both into the app's log file.
    process.stderr.write(
      `layerlab engine: started (pid ${process.pid}, ${process.version}; database ${config.dbPath})\n`,
    );
    return service;
  } catch (err) {
    fail(`engine could not start: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

const service = start();

onMessage(async (raw) => {
  if (!service) return;
  // A malformed message (null, no kind, no id) must not stop the engine: answer it if it can be, else log it.
  const read = readMainMessage(raw);
  if (!read.ok) {
    console.warn(`layerlab engine: malformed message ignored: ${read.reason}`);
    if (read.id !== undefined) reply(read.id, { ok: false, error: { message: `malformed message: ${read.reason}` } });
    return;
  }
  const message = read.message;
  if (message.kind === 'shutdown') {
    await service.shutdown();
    process.exit(0);
  }
  if (message.kind === 'request') {
    reply(message.id, await service.handle(message.channel, message.payload));
  }
});

process.on('uncaughtException', (err) => fail(`engine crashed: ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) =>
  fail(`engine crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
);

if (service)
  send({
    kind: 'ready',
    runtime: `${process.versions.electron ? `Electron ${process.versions.electron} utility process` : 'Node'} ${process.version}`,
  });

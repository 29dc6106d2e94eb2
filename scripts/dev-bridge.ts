// Browser preview of the renderer against the real engine, without Electron: a Vite dev server for renderer/
// plus a small HTTP bridge that plays preload+main (validates with the same schemas, forwards to an engine
// process, streams coalesced training events). For developing screens and taking screenshots in Chromium.
// Run: node --import tsx scripts/dev-bridge.ts [--port 5199] [--db /tmp/x.db]
import { fork } from 'node:child_process';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { parseRequest, type TrainingEvent } from '#shared/contract.ts';
import type { EngineToMain } from '#shared/engine-protocol.ts';
import { EventCoalescer } from '#shared/event-coalescer.ts';
import { fromWireNode, toWire } from '#shared/wire.ts';

const root = path.resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const port = Number(arg('port', '5199'));
const dbPath = path.resolve(arg('db', path.join(root, '.cache/dev-bridge/layerlab.db')));

const engine = fork(path.join(root, 'electron/engine/process.ts'), [], {
  execArgv: ['--import', 'tsx'],
  serialization: 'advanced',
  env: { ...process.env, LAYERLAB_ENGINE_CONFIG: JSON.stringify({ dbPath, dataDir: path.dirname(dbPath) }) },
});
let nextId = 1;
const pending = new Map<number, (envelope: unknown) => void>();
const clients = new Set<ServerResponse>();
const coalescer = new EventCoalescer((event: TrainingEvent) => {
  for (const client of clients) client.write(`data: ${toWire(event)}\n\n`);
});
engine.on('message', (message: EngineToMain) => {
  if (message.kind === 'response') (pending.get(message.id)?.(message.envelope), pending.delete(message.id));
  else if (message.kind === 'event') coalescer.push(message.event);
  else if (message.kind === 'fatal') console.error(`engine: ${message.message}`);
  else console.log(`engine ready (${message.runtime})`);
});
engine.on('exit', (code) => {
  console.error(`engine exited with ${code}`);
  process.exit(1);
});

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const SHIM = `
const bytesOf = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
const decode = (text) => JSON.parse(text, (k, v) => !v || typeof v !== 'object' ? v
  : typeof v.__bytes === 'string' ? bytesOf(v.__bytes)
  : typeof v.__float32 === 'string' ? new Float32Array(bytesOf(v.__float32).buffer) : v);
const toBase64 = (bytes) => {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
};
const encode = (value) => JSON.stringify(value, (k, v) => v instanceof Uint8Array || v instanceof Uint8ClampedArray
  ? { __bytes: toBase64(v) } : v);
const listeners = new Set();
const source = new EventSource('/__bridge/events');
source.onmessage = (e) => { const event = decode(e.data); for (const l of listeners) l(event); };
window.layerlab = {
  invoke: async (channel, request) => decode(await (await fetch('/__bridge/invoke', { method: 'POST', body: encode({ channel, request }) })).text()),
  onTrainingEvent: (l) => (listeners.add(l), () => listeners.delete(l)),
  onMenuCommand: () => () => {},
  onEngineStatus: () => () => {},
};`;

const bridge: Plugin = {
  name: 'layerlab-dev-bridge',
  transformIndexHtml: (html) =>
    html.replace('<script type="module"', '<script src="/__bridge/shim.js"></script>\n    <script type="module"'),
  configureServer(server) {
    server.middlewares.use(async (req, res, next) => {
      if (req.url === '/__bridge/shim.js') {
        res.setHeader('content-type', 'text/javascript');
        return res.end(SHIM);
      }
      if (req.url === '/__bridge/events') {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      }
      if (req.url !== '/__bridge/invoke' || req.method !== 'POST') return next();
      const { channel, request } = fromWireNode(await readBody(req)) as { channel: unknown; request: unknown };
      // Validated as main validates (unknown and inherited channel names included), then forwarded.
      const parsed = parseRequest(channel, request);
      const envelope: unknown = parsed.ok
        ? await new Promise((resolve) => {
            const id = nextId++;
            pending.set(id, resolve);
            engine.send({ kind: 'request', id, channel: parsed.channel, payload: parsed.value });
          })
        : parsed;
      res.setHeader('content-type', 'application/json');
      res.end(toWire(envelope));
    });
  },
};

const server = await createServer({
  root: path.join(root, 'renderer'),
  configFile: false,
  plugins: [svelte(), bridge],
  server: { port, strictPort: true, host: '127.0.0.1' },
});
await server.listen();
console.log(`dev bridge: http://127.0.0.1:${port}/ (db ${dbPath})`);

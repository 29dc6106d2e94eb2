// A stand-in for the engine process (electron/engine/process.ts) speaking the engine protocol, for
// test/engine-host.test.ts: ready at once; training:start answers run 7 (and never trains); doctor:run never
// answers; every other channel answers with its own name.
process.on('message', (message) => {
  if (message.kind === 'shutdown') process.exit(0);
  if (message.kind !== 'request') return;
  const reply = (value) => process.send({ kind: 'response', id: message.id, envelope: { ok: true, value } });
  if (message.channel === 'training:start') reply({ runId: 7 });
  else if (message.channel !== 'doctor:run') reply(message.channel);
});
process.send({ kind: 'ready', runtime: 'fake engine' });

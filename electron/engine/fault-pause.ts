// TEST-ONLY hook for the kill-phase fault suite (test/fault-kill.test.ts): LAYERLAB_FAULT_PAUSE=<phase>[@<n>]
// makes the process write "layerlab-fault-pause: <phase>" to stderr at the n-th time (default the first) it reaches
// that point of a run, then block its thread for good, so a test can SIGKILL it in exactly that phase instead of
// guessing with timers. Unset (always, outside tests) it costs one environment lookup per call.
import fs from 'node:fs';

export type FaultPhase = 'session' | 'batch' | 'validation' | 'checkpoint' | 'evaluation';

const reached = new Map<FaultPhase, number>();

export function faultPause(phase: FaultPhase): void {
  const setting = process.env.LAYERLAB_FAULT_PAUSE;
  if (!setting) return;
  const [wanted, nth = '1'] = setting.split('@');
  if (wanted !== phase) return;
  const count = (reached.get(phase) ?? 0) + 1;
  reached.set(phase, count);
  if (count !== Number(nth)) return;
  fs.writeSync(2, `layerlab-fault-pause: ${phase}\n`);
  // Blocks without spinning until the process is killed.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}

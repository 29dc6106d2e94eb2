// The engine lives only as long as the app that started it. A forked Node child learns of its parent's death
// when the IPC channel closes ('disconnect'); a utility process's parentPort has no such event, so the parent's
// pid is also polled: the pid main passes in the engine config, and whether this process was re-parented.
import { processIsAlive } from './store/leases.ts';

const PARENT_POLL_MS = 500;

/** Calls `onGone` once, with the reason, when the parent process is gone. */
export function watchParent(parentPid: number | undefined, onGone: (why: string) => void): void {
  const initialParent = process.ppid;
  let gone = false;
  const report = (why: string) => {
    if (gone) return;
    gone = true;
    clearInterval(poll);
    onGone(why);
  };
  const poll = setInterval(() => {
    if (parentPid !== undefined && !processIsAlive(parentPid)) report(`the app's process ${parentPid} is gone`);
    else if (process.ppid !== initialParent) report(`its parent process ${initialParent} is gone`);
  }, PARENT_POLL_MS);
  // Watching must not keep the engine alive by itself.
  poll.unref();
  if (process.send) process.once('disconnect', () => report('its channel to the app closed'));
}

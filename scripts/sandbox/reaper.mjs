// Stops a sandbox when the process that started it is gone, however it went (Ctrl-C, kill -9, a crash):
// the sandbox's servers run in process groups of their own, so nothing else would stop them.
//   node reaper.mjs OWNER_PID STATE_DIR PGID...
import { rmSync } from 'node:fs';

const [owner, stateDir, ...groups] = process.argv.slice(2);
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const signal = (pgid, sig) => {
  try {
    process.kill(-pgid, sig);
  } catch {}
};

const timer = setInterval(() => {
  if (alive(Number(owner))) return;
  clearInterval(timer);
  for (const pgid of groups) signal(Number(pgid), 'SIGTERM');
  setTimeout(() => {
    for (const pgid of groups) signal(Number(pgid), 'SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  }, 5_000);
}, 250);

// Where the time per task goes: the daemon's own counters (CPU time, fsyncs, processes started, from
// its ping reply), read just before and just after a run, and the files and folders the run left in
// its workspace. Counted by orchestrate itself, so they work on every system.
import { readdirSync } from 'node:fs';
import { importFromSources } from './lib.mjs';

let control;

// The control socket's client, loaded once.
async function loadControl() {
  control ??= await importFromSources('control', [
    "export { sendControl } from './src/control/control-socket.ts';",
    "export { layoutOf } from './src/queue/layout.ts';",
  ]);
  return control;
}

// The daemon's counters so far, and how many files and folders its workspace holds.
export async function costsNow(root) {
  const { sendControl, layoutOf } = await loadControl();
  const reply = await sendControl(layoutOf(root), { cmd: 'ping' }, 5000);
  return { daemon: reply?.ok ? reply.costs : undefined, entries: readdirSync(root, { recursive: true }).length };
}

// What a run of `n` tasks cost per task, from the counters before and after it.
export function costsPerTask(before, after, n) {
  const per = (key) => (after.daemon[key] - before.daemon[key]) / n;
  if (!before.daemon || !after.daemon) return undefined;
  return {
    cpuUserMs: per('cpu_user_ms'),
    cpuSystemMs: per('cpu_system_ms'),
    fileSyncs: per('file_syncs'),
    folderSyncs: per('folder_syncs'),
    runnerShells: per('runner_shells'),
    runs: per('runs'),
    entries: (after.entries - before.entries) / n,
  };
}

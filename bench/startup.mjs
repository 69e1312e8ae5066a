// (e) `orchestrate add` wall time against `node -e 0`, the floor of any Node CLI.
import { makeWorkspace, median, orch, progress, removeTemp, run, sleep, startDaemon, stopDaemon } from './lib.mjs';

// Interleaved so that a noisy moment hurts both sides alike. `add` runs against a workspace whose
// daemon is up (the normal case: it also rings the daemon) and against one with no daemon.
export async function benchStartup({ runs }) {
  const withDaemon = makeWorkspace('add');
  const noDaemon = makeWorkspace('add-nodaemon');
  const times = { node: [], add: [], addNoDaemon: [] };
  try {
    startDaemon(withDaemon);
    progress(`(e) ${runs} × (node -e 0, orchestrate add, orchestrate add without a daemon), interleaved...`);
    for (let i = 0; i < runs; i++) {
      times.node.push((await run(process.execPath, ['-e', '0'])).ms);
      const added = await orch(withDaemon, ['add', '--id', `e-${i}`, '--command', 'true', `startup probe ${i}`]);
      if (added.code !== 0) throw new Error(`orchestrate add failed: ${added.stderr}`);
      times.add.push(added.ms);
      const offline = await orch(noDaemon, ['add', '--id', `e-${i}`, '--command', 'true', `startup probe ${i}`]);
      if (offline.code !== 0) throw new Error(`orchestrate add failed: ${offline.stderr}`);
      times.addNoDaemon.push(offline.ms);
      await sleep(20);
    }
    return {
      node: median(times.node),
      add: median(times.add),
      addNoDaemon: median(times.addNoDaemon),
      runs,
      all: times,
    };
  } finally {
    stopDaemon(withDaemon);
    removeTemp(withDaemon);
    removeTemp(noDaemon);
  }
}

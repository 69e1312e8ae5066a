// One daemon per workspace, with the control socket as a file (as on macOS; forced here on Linux)
// and as Linux's abstract socket: a daemon that cannot answer (stopped with SIGSTOP) keeps it, and
// one killed with -9 leaves nothing that stops the next.
import { afterEach, describe, expect, it } from 'vitest';
import { destroyWorkspace, killDaemon, startDaemon } from '../helpers/faults.js';
import { cli, makeWorkspace, spawnDaemon, waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';

let ws: Workspace | undefined;
const stopped: number[] = [];
afterEach(async () => {
  for (const pid of stopped.splice(0)) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Already gone.
    }
  }
  if (ws) await destroyWorkspace(ws);
  ws = undefined;
});

// How a daemon process's start ended: it holds the workspace, or it exited (with its code and output).
async function startOutcome(daemon: DaemonProcess): Promise<'started' | { code: number | null; output: string }> {
  const closed = new Promise<void>((resolve) => daemon.child.once('close', () => resolve()));
  const outcome = await waitFor(
    'the daemon to start or exit',
    () => (daemon.output().includes('daemon started') ? 'started' : daemon.child.exitCode !== null && 'exited'),
    30_000,
  );
  if (outcome === 'started') return 'started';
  await closed;
  return { code: daemon.child.exitCode, output: daemon.output() };
}

describe.each([
  ['a file, as on macOS', { ORCHESTRATE_CONTROL_SOCKET: 'file' }],
  ['abstract, as on Linux', {}],
])('the control socket as %s', (_kind, env: NodeJS.ProcessEnv) => {
  const stopLine = (root: string) => cli(root, ['stop'], { env }).stdout.trim();

  it('a daemon stopped with SIGSTOP keeps it: a second run and start refuse, naming its pid; it answers after SIGCONT', async () => {
    ws = makeWorkspace();
    const first = await startDaemon(ws.root, env);
    const pid = first.child.pid!;
    process.kill(pid, 'SIGSTOP');
    stopped.push(pid);

    const second = await startOutcome(spawnDaemon(ws.root, env));
    expect(second).toMatchObject({ code: 1 });
    expect(second !== 'started' && second.output).toContain(`another daemon holds this workspace (pid ${pid})`);
    const start = cli(ws.root, ['start'], { env: env });
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(`another daemon holds this workspace (pid ${pid})`);

    process.kill(pid, 'SIGCONT');
    expect(stopLine(ws.root)).toBe(`daemon stopped (pid ${pid})`);
    expect(await first.exited).toBe(0);
  });

  it('after kill -9 of its daemon, a new daemon starts and answers on it', async () => {
    ws = makeWorkspace();
    await killDaemon(await startDaemon(ws.root, env));
    const next = await startDaemon(ws.root, env);
    expect(stopLine(ws.root)).toBe(`daemon stopped (pid ${next.child.pid})`);
  });

  it('daemons started together after a kill -9: one holds the workspace, the others refuse naming it', async () => {
    ws = makeWorkspace();
    await killDaemon(await startDaemon(ws.root, env));
    const daemons = [1, 2, 3].map(() => spawnDaemon(ws!.root, env));
    const outcomes = await Promise.all(daemons.map(startOutcome));
    const winners = daemons.filter((_, index) => outcomes[index] === 'started');
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.child.pid;
    for (const outcome of outcomes.filter((outcome) => outcome !== 'started'))
      expect(outcome.output).toContain(`another daemon holds this workspace (pid ${winner})`);
    expect(stopLine(ws.root)).toBe(`daemon stopped (pid ${winner})`);
  });
});

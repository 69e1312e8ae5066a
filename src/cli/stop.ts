import { setTimeout as sleep } from 'node:timers/promises';
import { sendControl } from '../control/control-socket.js';
import type { Layout } from '../queue/layout.js';
import { daemonStatus } from '../control/daemon-status.js';
import { CliError } from './support/errors.js';
import { processTable } from '../process/process-table.js';

// `orchestrate stop`: asks the daemon to stop and waits until its process is gone.
export async function stopDaemon(layout: Layout, options: { killAgents?: boolean; wait?: boolean }): Promise<string> {
  // With --kill-agents the daemon first takes over what a previous one left (worktree merges of
  // collected runs among it): give that time before taking silence for a hung daemon.
  const reply = await sendControl(
    layout,
    { cmd: 'stop', killAgents: options.killAgents ?? false, wait: options.wait ?? false },
    options.killAgents ? 60_000 : 5000,
  );
  if (!reply) {
    const status = daemonStatus(layout);
    if (status.running)
      throw new CliError(`the daemon (pid ${status.pid}) does not answer; kill it with: kill ${status.pid}`);
    if (!options.killAgents) return 'no daemon is running';
    // The agents of a daemon that died are stopped here, with the same rules as its own --kill-agents.
    const { stopOrphanAgents } = await import('./support/orphan-run.js');
    return `no daemon is running; ${await stopOrphanAgents(layout)}`;
  }
  if (!reply.ok) throw new CliError(reply.error);
  const pid = reply.pid as number;
  const running = Array.isArray(reply.running) ? (reply.running as string[]) : [];
  while (processTable.isProcessAlive(pid)) await sleep(25);
  if (options.killAgents)
    return `daemon stopped (pid ${pid}); ${(await import('./support/orphan-run.js')).stoppedAgents(running)}`;
  if (running.length === 0 || options.wait) return `daemon stopped (pid ${pid})`;
  return `daemon stopped (pid ${pid}); ${running.length === 1 ? `1 agent keeps running (${running[0]})` : `${running.length} agents keep running (${running.join(', ')})`}: the next daemon adopts ${running.length === 1 ? 'it' : 'them'}`;
}

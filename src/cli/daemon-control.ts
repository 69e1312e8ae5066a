import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendControl } from '../daemon/control-socket.js';
import type { Layout } from '../queue/layout.js';
import { daemonStatus } from './daemon-status.js';
import { agentSlotsOption } from './agent-slots.js';
import { runConfigOrFail } from './config.js';
import { orchestrateCommand } from './command-hint.js';
import { CliError } from './errors.js';
import { isProcessAlive } from '../agents/process-table.js';

const START_TIMEOUT_MS = 15_000;

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}

// `orchestrate start`: runs the daemon detached and returns once it holds the workspace.
export async function startDaemon(layout: Layout, options: { agents?: string }): Promise<string> {
  // The daemon inherits this environment: its variables and .env are checked here, before it starts.
  const { config, warnings } = runConfigOrFail(layout);
  agentSlotsOption(options.agents, config);
  const extraArgs = options.agents === undefined ? [] : ['--agents', options.agents];
  const running = await sendControl(layout, { cmd: 'ping' }, 1000);
  // What was asked for is true already: not a failure, so scripts can `start` without checking first.
  if (running?.ok)
    return `already running (pid ${running.pid})${options.agents === undefined ? '' : `; --agents takes effect only when it starts: \`${orchestrateCommand(layout, 'stop')}\` first`}`;
  mkdirSync(layout.runtimeDir, { recursive: true });
  const log = openSync(layout.daemonLogPath, 'a');
  const child = spawn(
    process.execPath,
    [process.argv[1]!, 'run', '--root', layout.root, '--log-format', 'json', ...extraArgs],
    {
      detached: true,
      stdio: ['ignore', log, log],
      // More thread-pool threads: task-file fsyncs must not queue the small file operations of claims.
      env: { UV_THREADPOOL_SIZE: '16', ...process.env },
    },
  );
  closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const reply = await sendControl(layout, { cmd: 'ping' }, 200);
    if (reply?.ok && reply.pid === child.pid)
      return [
        ...warnings.map((warning) => `warning: ${warning}`),
        `daemon started (pid ${child.pid}); log: ${relative(process.cwd(), layout.daemonLogPath)}`,
      ].join('\n');
    if (reply?.ok)
      throw new CliError(
        `another daemon started first (pid ${reply.pid}); stop it with \`${orchestrateCommand(layout, 'stop')}\``,
      );
    if (exited !== undefined)
      throw new CliError(`the daemon exited at start (code ${exited}):\n${logTail(layout.daemonLogPath)}`);
    await sleep(30);
  }
  throw new CliError(`the daemon did not come up within ${START_TIMEOUT_MS / 1000}s; see ${layout.daemonLogPath}`);
}

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
    const { stopOrphanAgents } = await import('./orphan-run.js');
    return `no daemon is running; ${await stopOrphanAgents(layout)}`;
  }
  if (!reply.ok) throw new CliError(reply.error);
  const pid = reply.pid as number;
  const running = Array.isArray(reply.running) ? (reply.running as string[]) : [];
  while (isProcessAlive(pid)) await sleep(25);
  if (options.killAgents)
    return `daemon stopped (pid ${pid}); ${(await import('./orphan-run.js')).stoppedAgents(running)}`;
  if (running.length === 0 || options.wait) return `daemon stopped (pid ${pid})`;
  return `daemon stopped (pid ${pid}); ${running.length === 1 ? `1 agent keeps running (${running[0]})` : `${running.length} agents keep running (${running.join(', ')})`}: the next daemon adopts ${running.length === 1 ? 'it' : 'them'}`;
}

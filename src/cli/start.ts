import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sendControl } from '../control/control-socket.js';
import type { Layout } from '../queue/layout.js';
import { agentSlotsOption } from './support/agent-slots.js';
import { runConfigOrFail } from './support/config.js';
import { orchestrateCommand } from './support/command-hint.js';
import { CliError } from './support/errors.js';

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

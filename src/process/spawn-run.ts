import { spawn, type ChildProcess } from 'node:child_process';
import { RUN_MARKER } from './process-table.js';
import type { Launch } from '../agents/preset.js';

// Agents started from an argv (the AI presets, `command:` agents) run under a wrapper: /bin/sh, the
// cheapest process that can outlive the daemon and still record the agent's exit status (`shell`
// tasks run on runner shells instead, see runner-pool.ts). It opens the run's output files itself
// (work taken off the daemon's event loop). Its traps turn SIGINT/SIGTERM into an exit once the
// agent has ended, so the status is written for cancel and timeout too; only SIGKILL leaves no status.
const DIR = `"$${RUN_MARKER}"`;
const TRAPS = `exec >>${DIR}/stdout 2>>${DIR}/stderr; trap 'echo $? > ${DIR}/exit' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP;`;
const EXEC_WRAPPER = `${TRAPS} "$@"`;
const SHELL_WRAPPER = `${TRAPS} eval "$1"`;

export interface SpawnRequest {
  runDir: string;
  launch: Exclude<Launch, { kind: 'refused' }>;
  cwd: string;
  env: Record<string, string | undefined>;
}

// The arguments of `/bin/sh` that run an agent under the wrapper.
export function wrapperArgs(launch: SpawnRequest['launch']): string[] {
  return launch.kind === 'exec'
    ? ['-c', EXEC_WRAPPER, 'orchestrate-run', ...launch.argv]
    : ['-c', SHELL_WRAPPER, 'orchestrate-run', launch.script];
}

// The wrapper's environment: the agent's, plus the run marker.
export function wrapperEnv(request: SpawnRequest): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...request.env, ...request.launch.env }))
    if (value !== undefined) env[name] = value;
  env[RUN_MARKER] = request.runDir;
  return env;
}

// Starts a run detached in its own process group, from this process (when no launcher is built).
export function spawnRun(request: SpawnRequest): ChildProcess {
  const child = spawn('/bin/sh', wrapperArgs(request.launch), {
    cwd: request.cwd,
    detached: true,
    stdio: 'ignore',
    env: wrapperEnv(request),
  });
  child.unref();
  return child;
}

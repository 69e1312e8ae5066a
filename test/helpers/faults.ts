// Helpers for the fault-injection tests in test/invariants: fake-agent configs, process checks
// that see through zombies, marker files, task files as data, and cleanup of everything a
// workspace started (daemons and agent trees), by pid.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import {
  BIN,
  FAST_DAEMON,
  FIXTURES,
  idsIn,
  makeWorkspace,
  spawnDaemon,
  waitFor,
  waitReady,
  type CliResult,
  type DaemonProcess,
  type Workspace,
} from './workspace.js';

export const MARKER_AGENT = join(FIXTURES, 'marker-agent.sh');
export const STUBBORN_AGENT = join(FIXTURES, 'stubborn-agent.sh');
export const STATES = ['pending', 'assigned', 'completed', 'failed'] as const;
export type State = (typeof STATES)[number];

// An orchestrator.yaml with a marker agent (writing to `marker`), a stubborn agent and the shell preset.
export function faultConfig(
  options: {
    marker?: string;
    markerSleep?: string;
    instances?: number;
    maxRetries?: number;
    defaultAgent?: string;
  } = {},
): string {
  const instances = options.instances ?? 4;
  const lines = [`max_concurrent: ${instances}`, 'agents:'];
  if (options.marker) {
    lines.push(
      `  marker: { command: ${JSON.stringify([MARKER_AGENT, options.marker])}, max_instances: ${instances}, env: { MARKER_SLEEP: "${options.markerSleep ?? '0.1'}" } }`,
    );
  }
  lines.push(`  stubborn: { command: ${JSON.stringify([STUBBORN_AGENT])}, max_instances: ${instances} }`);
  lines.push(`  shell: { preset: shell, max_instances: ${instances} }`);
  lines.push(
    `defaults: { agent: ${options.defaultAgent ?? (options.marker ? 'marker' : 'shell')}, retry_delay: 100ms, max_retries: ${options.maxRetries ?? 2} }`,
  );
  return `${lines.join('\n')}\n${FAST_DAEMON}`;
}

// A workspace with faultConfig; the marker file lives in the workspace root.
export function faultWorkspace(
  options: Parameters<typeof faultConfig>[0] & { withMarker?: boolean } = {},
): Workspace & { marker: string } {
  const probe = makeWorkspace('max_concurrent: 1\n');
  const marker = join(probe.root, 'marker.log');
  const config = faultConfig({ ...options, marker: options.withMarker === false ? undefined : marker });
  // Written once the root (and so the marker path) is known.
  writeFileSync(join(probe.root, 'orchestrator.yaml'), config);
  return { ...probe, marker };
}

export interface MarkerLine {
  id: string;
  attempt: number;
  pid: number;
}

// The lines marker-agent.sh appended: one per time an agent really started.
export function readMarker(path: string): MarkerLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, attempt, pid] = line.trim().split(' ');
      return { id: id!, attempt: Number(attempt), pid: Number(pid) };
    });
}

export function markerCounts(lines: MarkerLine[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line.id, (counts.get(line.id) ?? 0) + 1);
  return counts;
}

export interface AttemptData {
  number: number;
  agent?: string;
  outcome: string;
  exit_code?: number | null;
  error?: string;
}

export interface TaskData {
  description: string;
  attempts?: AttemptData[];
  result?: { outcome: string; error?: string; output?: string; summary?: string };
  [key: string]: unknown;
}

// A task file parsed as YAML (the test's own reading, not the product's).
export function readTask(root: string, state: State, id: string): TaskData {
  return parse(readFileSync(join(root, 'tasks', state, `${id}.yaml`), 'utf8')) as TaskData;
}

// Every state folder holding `id` right now.
export function foldersOf(root: string, id: string): State[] {
  return STATES.filter((state) => existsSync(join(root, 'tasks', state, `${id}.yaml`)));
}

export function countIn(root: string, state: State): number {
  return idsIn(root, state).length;
}

// Whether a pid is a live process: a zombie (dead, not yet reaped; PID 1 here never reaps) is not.
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

// A pid that certainly belonged to a process that has exited.
export function deadPid(): number {
  const child = spawnSync('true');
  return child.pid!;
}

function procText(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return '';
  }
}

// Live processes that belong to a workspace: daemons (their argv names the root) and agents
// (their environment carries ORCHESTRATE_ROOT=root).
export function workspaceProcesses(root: string): number[] {
  const env = `ORCHESTRATE_ROOT=${root}\0`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = procText(name, 'cmdline');
    const environ = procText(name, 'environ');
    const isDaemon = cmdline.includes(BIN) && cmdline.split('\0').includes(root);
    if ((isDaemon || environ.startsWith(env) || environ.includes(`\0${env}`)) && pidAlive(Number(name)))
      found.push(Number(name));
  }
  return found;
}

// Agent processes of a workspace (not its daemons, nor the runner shells that wait for tasks).
export function agentProcesses(root: string): number[] {
  return workspaceProcesses(root).filter(
    (pid) => !procText(String(pid), 'cmdline').includes(BIN) && !isRunnerShell(pid),
  );
}

function isRunnerShell(pid: number): boolean {
  const environ = procText(String(pid), 'environ');
  return environ.startsWith('ORCHESTRATE_RUNNER=') || environ.includes('\0ORCHESTRATE_RUNNER=');
}

// Kills (SIGKILL, by pid) every process a workspace started, then removes the workspace.
export async function destroyWorkspace(workspace: Workspace): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const pids = workspaceProcesses(workspace.root);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await sleep(50);
  }
  workspace.cleanup();
}

// kill -9 of a daemon process, waiting until it is gone.
export async function killDaemon(daemon: DaemonProcess): Promise<void> {
  if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
  await daemon.exited;
}

// A graceful stop (SIGTERM, as Ctrl-C would), waiting until it is gone; agents keep running.
// A daemon that does not stop within `graceMs` (a hung event loop) is killed, so cleanup never hangs.
export async function stopDaemon(daemon: DaemonProcess, graceMs = 5_000): Promise<void> {
  if (daemon.child.exitCode !== null || daemon.child.signalCode !== null) return;
  daemon.child.kill('SIGTERM');
  const timer = setTimeout(() => daemon.child.kill('SIGKILL'), graceMs);
  await daemon.exited;
  clearTimeout(timer);
}

export async function startDaemon(root: string, env: NodeJS.ProcessEnv = {}): Promise<DaemonProcess> {
  const daemon = spawnDaemon(root, env);
  await waitReady(daemon);
  return daemon;
}

// The built CLI, without blocking this process (so snapshots can overlap a busy daemon).
export function cliAsync(root: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '-C', root, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Waits until every one of `ids` is in completed/ or failed/ (and nothing is left in assigned/).
export async function waitAllFinished(root: string, ids: string[], timeoutMs = 120_000): Promise<void> {
  await waitFor(
    `${ids.length} tasks to finish`,
    () => {
      const finished = new Set([...idsIn(root, 'completed'), ...idsIn(root, 'failed')]);
      return ids.every((id) => finished.has(id)) && idsIn(root, 'assigned').length === 0;
    },
    timeoutMs,
    100,
  );
}

// The pids a stubborn agent recorded for one run, once all 5 of its processes are up.
export async function stubbornPids(root: string, id: string, attempt = 1): Promise<number[]> {
  const file = join(root, '.orchestrate', 'runs', id, String(attempt), 'pids');
  return waitFor(
    `the stubborn agent of ${id} to record its 5 pids`,
    () => {
      if (!existsSync(file)) return false;
      const pids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
      return pids.length >= 5 ? pids : false;
    },
    30_000,
  );
}

// The pid of the runner shell (= process group id) a run was handed to, as run.json records it.
export function recordedRunner(root: string, id: string, attempt = 1): number | undefined {
  try {
    const record = JSON.parse(readFileSync(runFile(root, id, attempt, 'run.json'), 'utf8'));
    return record.runner?.pid;
  } catch {
    return undefined;
  }
}

// The runner pid (= process group id) of a run, once the runner has begun it (its output is open).
export async function runPid(root: string, id: string, attempt = 1): Promise<number> {
  return waitFor(`the runner of ${id} attempt ${attempt} to begin it`, () => {
    const pid = recordedRunner(root, id, attempt);
    return pid !== undefined && existsSync(runFile(root, id, attempt, 'stdout')) ? pid : false;
  });
}

export function runFile(root: string, id: string, attempt: number, name: string): string {
  return join(root, '.orchestrate', 'runs', id, String(attempt), name);
}

// What every fault test does after each case: stop its daemon, then remove its workspace and agents.
export async function tearDown(daemon: DaemonProcess | undefined, workspace: Workspace | undefined): Promise<void> {
  if (daemon) await stopDaemon(daemon);
  if (workspace) await destroyWorkspace(workspace);
}

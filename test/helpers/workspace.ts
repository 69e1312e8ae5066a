import { afterEach } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ensureWorkspace, layoutOf, runDaemon, type Layout } from '../../src/index.js';

export const REPO = resolve(fileURLToPath(import.meta.url), '../../..');
// Tests drive the real built CLI, exactly as users run it.
export const BIN = join(REPO, 'dist/bin/orchestrate.js');
export const FIXTURES = join(REPO, 'test/fixtures');

export const FAST_DAEMON = `daemon: { rescan_interval: 300ms, stable_window: 50ms, kill_grace: 300ms }\n`;

export interface Workspace {
  root: string;
  layout: Layout;
  cleanup(): void;
}

// A fresh workspace in a temp folder with the given orchestrator.yaml.
export function makeWorkspace(
  config = `max_concurrent: 4\nagents:\n  shell: { preset: shell, max_instances: 4 }\ndefaults: { agent: shell, retry_delay: 100ms }\n${FAST_DAEMON}`,
): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'orchestrate-test-'));
  writeFileSync(join(root, 'orchestrator.yaml'), config);
  const layout = layoutOf(root);
  ensureWorkspace(layout);
  return { root, layout, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Runs the built CLI against a workspace and waits for it.
export function cli(root: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, '-C', root, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    cwd: options.cwd ?? root,
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// The task ids in one state folder.
export function idsIn(root: string, state: 'pending' | 'assigned' | 'completed' | 'failed'): string[] {
  return readdirSync(join(root, 'tasks', state))
    .filter((name) => name.endsWith('.yaml') && !name.startsWith('.'))
    .map((name) => name.slice(0, -5))
    .sort();
}

// Polls until `check` returns a truthy value, or fails with `what`.
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

// A daemon as a real separate process (`orchestrate run`), for kill -9 and restart tests.
export interface DaemonProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function spawnDaemon(root: string, env: NodeJS.ProcessEnv = {}): DaemonProcess {
  const child = spawn(process.execPath, [BIN, '-C', root, 'run', '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

// Waits until a daemon process holds the workspace (its log says it started).
export async function waitReady(daemon: DaemonProcess): Promise<void> {
  await waitFor('the daemon to start', () => daemon.output().includes('daemon started'), 20_000);
}

// A daemon in this process, stopped by the returned function (agents are left running).
export function inProcessDaemon(
  root: string,
  options: { untilIdle?: boolean } = {},
): { stop: () => Promise<void>; done: Promise<unknown> } {
  const controller = new AbortController();
  const done = runDaemon({ root, signal: controller.signal, untilIdle: options.untilIdle ?? false });
  return {
    done,
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

// Writes a task file the way a careful submitter does: a dot-name, then a rename into place.
export function dropTask(root: string, id: string, text: string): void {
  const temp = join(root, 'tasks', 'pending', `.${id}.yaml.tmp`);
  writeFileSync(temp, text);
  renameSync(temp, join(root, 'tasks', 'pending', `${id}.yaml`));
}

// A settled file: bad input is set aside at once, not after the grace for files still being written.
export function dropSettled(root: string, id: string, text: string): void {
  dropTask(root, id, text);
  const past = new Date(Date.now() - 60_000);
  utimesSync(join(root, 'tasks', 'pending', `${id}.yaml`), past, past);
}

// A test's workspace and in-process daemon, stopped and removed after each test.
export interface DaemonTest {
  ws: Workspace;
  daemon?: ReturnType<typeof inProcessDaemon>;
}

export function daemonTest(): DaemonTest {
  const test = {} as DaemonTest;
  afterEach(async () => {
    await test.daemon?.stop();
    test.daemon = undefined;
    test.ws?.cleanup();
  });
  return test;
}

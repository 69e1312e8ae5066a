// Shared helpers for the benchmark: clocks, statistics, temp workspaces, the built CLI, daemons.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

export { sleep };

export const REPO = resolve(fileURLToPath(import.meta.url), '../..');
export const BIN = join(REPO, 'dist/bin/orchestrate.js');
export const STABLE_WINDOW_MS = 150;

const DAEMON_SETTINGS = `daemon: { rescan_interval: 2s, stable_window: ${STABLE_WINDOW_MS}ms, kill_grace: 1s }`;

// The configuration every orchestrate workspace of the bench uses (the brief's example).
export const CONFIG = `max_concurrent: 8
agents:
  shell: { preset: shell, max_instances: 8 }
defaults: { agent: shell }
${DAEMON_SETTINGS}
`;

// The same with an argv agent instead (`command:` as a list: the path every AI preset takes).
export const argvConfig = (argv) => `max_concurrent: 8
agents:
  agent: { command: ${JSON.stringify(argv)}, max_instances: 8 }
defaults: { agent: agent }
${DAEMON_SETTINGS}
`;

// Monotonic milliseconds (sub-millisecond resolution) for durations.
export const now = () => performance.now();

// Wall-clock milliseconds with sub-millisecond resolution, comparable with `date +%s%N`.
// performance.now() is monotonic; its offset to CLOCK_REALTIME is re-measured at a Date.now() tick
// (where the real time is exactly that integer), so NTP slewing during a long run cannot skew it.
let realOffset;
export function syncRealClock() {
  const start = Date.now();
  let tick;
  do tick = Date.now();
  while (tick === start);
  realOffset = tick - performance.now();
}
export function realNow() {
  if (realOffset === undefined) syncRealClock();
  return performance.now() + realOffset;
}

// ---------------------------------------------------------------- statistics and formatting

export function median(values) {
  return percentile(values, 50);
}

// Nearest-rank percentile (p99 of 100 samples is the 99th smallest).
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function fmtMs(ms) {
  if (ms === undefined || Number.isNaN(ms)) return '-';
  if (Math.abs(ms) >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (Math.abs(ms) >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

export function fmtX(ratio) {
  return ratio === undefined || Number.isNaN(ratio) ? '-' : `${ratio.toFixed(2)}x`;
}

export function fmtMb(kb) {
  return kb === undefined ? '-' : `${(kb / 1024).toFixed(1)} MB`;
}

// A plain text table with aligned columns (numbers right-aligned).
export function textTable(headers, rows) {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => String(row[i] ?? '').length)));
  const numeric = headers.map(
    (_, i) =>
      rows.length > 0 && rows.every((row) => /^[-\d.<>≤ ]*[\d.]+ ?(ms|s|x|MB|%)?$|^-$/.test(String(row[i] ?? ''))),
  );
  const line = (cells) =>
    cells
      .map((cell, i) => (numeric[i] ? String(cell ?? '').padStart(widths[i]) : String(cell ?? '').padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

// Progress goes to stderr so stdout holds only the results.
export function progress(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

// ---------------------------------------------------------------- temp dirs and cleanup

const tempDirs = new Set();
const daemonRoots = new Set();
export const options = { keep: false };

export function tempDir(prefix, base = tmpdir()) {
  const dir = mkdtempSync(join(base, `orchestrate-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

// Temp dirs are deleted only when the bench ends: on a journal-less ext4 (like this VM's), creating a
// file skips every inode freed in the last minutes, so deleting a finished run's thousands of files
// would slow down file creation in whichever run comes next.
const doomed = new Set();
export function removeTemp(dir) {
  tempDirs.delete(dir);
  doomed.add(dir);
}

function deleteDoomed() {
  for (const dir of doomed) if (!options.keep) rmSync(dir, { recursive: true, force: true });
  doomed.clear();
}

// Stops every daemon this bench started and removes its temp dirs (also on Ctrl-C).
export function cleanupAll() {
  for (const root of [...daemonRoots]) stopDaemon(root);
  for (const dir of [...tempDirs]) removeTemp(dir);
  deleteDoomed();
}

// Modules straight from src/ (dist/ only holds the CLI's bundle): `exportLines` (such as
// "export { schedule } from './src/core/scheduler.ts';") bundled by esbuild and imported.
export async function importFromSources(name, exportLines) {
  const { build } = await import('esbuild');
  const dir = tempDir(name);
  const outfile = join(dir, `${name}.mjs`);
  await build({
    stdin: { contents: exportLines.join('\n'), resolveDir: REPO, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  try {
    return await import(pathToFileURL(outfile).href);
  } finally {
    removeTemp(dir);
  }
}

// What creating one small file costs in the temp folder (median µs), and the filesystem type.
export function fileCreateProbe() {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrate-bench-probe-'));
  const times = [];
  for (let i = 0; i < 200; i++) {
    const t0 = now();
    writeFileSync(join(dir, `f${i}`), 'x');
    times.push((now() - t0) * 1000);
  }
  rmSync(dir, { recursive: true, force: true });
  let fs = spawnSync('stat', ['-f', '-c', '%T', tmpdir()], { encoding: 'utf8' }).stdout.trim() || 'unknown';
  const device = spawnSync('findmnt', ['-n', '-o', 'SOURCE', '--target', tmpdir()], { encoding: 'utf8' })
    .stdout.trim()
    .replace('/dev/', '');
  if (device && existsSync(`/proc/fs/ext4/${device}`))
    fs = existsSync(`/proc/fs/jbd2/${device}-8`) ? 'ext4 (journal)' : 'ext4 without a journal';
  return { us: median(times), fs };
}

// ---------------------------------------------------------------- processes

// Runs a command to completion; resolves with its exit code, output and wall time.
export function run(command, args, opts = {}) {
  return new Promise((resolvePromise) => {
    const t0 = now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    let exitedAt;
    child.on('exit', () => (exitedAt = now()));
    child.on('error', (error) =>
      resolvePromise({ code: -1, stdout, stderr: String(error), ms: now() - t0, startedAt: t0, exitedAt: now() }),
    );
    child.on('close', (code) =>
      resolvePromise({
        code,
        stdout,
        stderr,
        ms: (exitedAt ?? now()) - t0,
        startedAt: t0,
        exitedAt: exitedAt ?? now(),
      }),
    );
  });
}

// The built CLI, synchronously (for setup and teardown, where timing does not matter).
export function orchSync(root, args, timeout = 60_000) {
  return spawnSync(process.execPath, [BIN, '-C', root, ...args], {
    encoding: 'utf8',
    timeout,
    maxBuffer: 512 * 1024 * 1024,
  });
}

// The built CLI, asynchronously and timed (from spawn to the process's exit).
export function orch(root, args) {
  return run(process.execPath, [BIN, '-C', root, ...args]);
}

export function which(command) {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

// /proc/<pid>/status memory fields, in kB.
export function procMemory(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1]);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- orchestrate workspaces

export function makeWorkspace(prefix, config = CONFIG) {
  const root = tempDir(prefix);
  writeFileSync(join(root, 'orchestrator.yaml'), config);
  const init = orchSync(root, ['init']);
  if (init.status !== 0) throw new Error(`orchestrate init failed: ${init.stderr}`);
  return root;
}

// `orchestrate start`, then the daemon's pid from .orchestrate/daemon.json.
export function startDaemon(root) {
  const started = orchSync(root, ['start']);
  if (started.status !== 0) throw new Error(`orchestrate start failed: ${started.stderr}${started.stdout}`);
  daemonRoots.add(root);
  return JSON.parse(readFileSync(join(root, '.orchestrate/daemon.json'), 'utf8')).pid;
}

export function stopDaemon(root) {
  if (!daemonRoots.has(root)) return;
  daemonRoots.delete(root);
  let pid;
  try {
    pid = JSON.parse(readFileSync(join(root, '.orchestrate/daemon.json'), 'utf8')).pid;
  } catch {
    // Already stopped.
  }
  const stopped = orchSync(root, ['stop', '--kill-agents'], 30_000);
  if (stopped.status !== 0 && pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}

// Task files in a state folder (what the daemon counts as tasks there).
export function taskNames(dir) {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.yaml') && !name.startsWith('.'));
  } catch {
    return [];
  }
}

// Polls until `check()` is truthy; resolves with the monotonic time it first was.
export async function pollUntil(check, { everyMs = 10, timeoutMs = 120_000, what = 'a condition' } = {}) {
  const deadline = now() + timeoutMs;
  for (;;) {
    if (check()) return now();
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

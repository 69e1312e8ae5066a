// The peers orchestrate is compared with: finding (or installing) them, and running N jobs through each.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { costsNow, costsPerTask } from './costs.mjs';
import {
  argvConfig,
  makeWorkspace,
  now,
  pollUntil,
  procMemory,
  progress,
  removeTemp,
  run,
  startDaemon,
  stopDaemon,
  taskNames,
  tempDir,
  which,
} from './lib.mjs';

// ---------------------------------------------------------------- finding the peers

function isTaskSpooler(path) {
  const version = spawnSync(path, ['-V'], { encoding: 'utf8', env: { ...process.env, TS_SOCKET: '/nonexistent/ts' } });
  return /task.?spooler/i.test(`${version.stdout}${version.stderr}`);
}

function findTaskSpooler() {
  const listed = spawnSync('dpkg', ['-L', 'task-spooler'], { encoding: 'utf8' });
  const fromPackage =
    listed.status === 0 ? listed.stdout.split('\n').filter((line) => /\/bin\/(tsp|ts)$/.test(line)) : [];
  for (const candidate of [...fromPackage, which('tsp'), which('ts')]) {
    if (candidate && isTaskSpooler(candidate)) return candidate;
  }
  return undefined;
}

function findParallel() {
  const path = which('parallel');
  if (!path) return undefined;
  const version = spawnSync(path, ['--version'], { encoding: 'utf8' });
  return /GNU parallel/.test(version.stdout) ? path : undefined;
}

// Finds task-spooler and GNU parallel, installing the Debian packages once when one is missing.
export function findPeers({ install = true } = {}) {
  let tsp = findTaskSpooler();
  let parallel = findParallel();
  if ((!tsp || !parallel) && install && which('apt-get') && process.getuid?.() === 0) {
    progress('installing task-spooler and GNU parallel (apt-get)...');
    const update = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', timeout: 180_000 });
    if (update.status !== 0) progress(`apt-get update failed: ${update.stderr.trim().split('\n').at(-1)}`);
    const packages = [...(tsp ? [] : ['task-spooler']), ...(parallel ? [] : ['parallel'])];
    const installed = spawnSync('apt-get', ['install', '-y', '-qq', ...packages], {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (installed.status !== 0) progress(`apt-get install failed: ${installed.stderr.trim().split('\n').at(-1)}`);
    tsp = findTaskSpooler();
    parallel = findParallel();
  }
  return { tsp, parallel };
}

export function peerVersions(peers) {
  const first = (text) =>
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim();
  const versions = {};
  if (peers.tsp) {
    const shown = spawnSync(peers.tsp, ['-V'], {
      encoding: 'utf8',
      env: { ...process.env, TS_SOCKET: '/nonexistent/ts' },
    });
    versions.tsp = first(`${shown.stdout}${shown.stderr}`)?.replace(/ - .*$/, '');
  }
  if (peers.parallel) versions.parallel = first(spawnSync(peers.parallel, ['--version'], { encoding: 'utf8' }).stdout);
  return versions;
}

// ---------------------------------------------------------------- N jobs, `concurrency` at a time
// Each runner resolves with { ms, ok, error? }; `ms` is the wall time the brief defines for it.

// The floor: a bare Node loop keeping `concurrency` `/bin/sh -c script` children alive.
export function runFloor(n, script, concurrency) {
  return new Promise((resolve) => {
    let started = 0;
    let done = 0;
    let failed = 0;
    const t0 = now();
    const next = () => {
      if (started >= n) return;
      started++;
      const child = spawn('/bin/sh', ['-c', script], { stdio: 'ignore' });
      child.on('exit', (code) => {
        if (code !== 0) failed++;
        if (++done === n)
          resolve({ ms: now() - t0, ok: failed === 0, error: failed ? `${failed} jobs failed` : undefined });
        else next();
      });
    };
    for (let i = 0; i < concurrency; i++) next();
  });
}

// task-spooler: a private server (TS_SOCKET, TMPDIR), `tsp -S <concurrency>`, N jobs enqueued by a
// shell loop, then `tsp -w` on the last job and a poll of `tsp -l` until every job has finished.
// The time covers the server's start, enqueueing and the jobs, like orchestrate's covers the drops.
export async function runTaskSpooler(tsp, n, argv, concurrency) {
  const dir = tempDir('tsp');
  const env = {
    ...process.env,
    TMPDIR: dir,
    TS_SOCKET: join(dir, 'socket'),
    TS_SLOTS: String(concurrency),
    TS_MAXFINISHED: String(n + 10),
    TS_MAXCONN: String(n + 100),
  };
  const command = argv.join(' ');
  const script = `
    T=${tsp}
    $T -S ${concurrency} >/dev/null
    i=1
    while [ $i -lt ${n} ]; do $T ${command} >/dev/null; i=$((i+1)); done
    last=$($T ${command})
    $T -w "$last" >/dev/null 2>&1 || true
    while $T -l | awk 'NR>1 && $2!="finished" {busy=1} END {exit !busy}'; do sleep 0.01; done
  `;
  try {
    const result = await run('/bin/sh', ['-c', script], { env });
    const listing = spawnSync(tsp, ['-l'], { encoding: 'utf8', env })
      .stdout.split('\n')
      .slice(1)
      .filter((line) => line.trim() !== '');
    const good = listing.filter((line) => /^\d+\s+finished\s+\S+\s+0\s/.test(line)).length;
    const ok = result.code === 0 && good === n;
    return {
      ms: result.ms,
      ok,
      error: ok
        ? undefined
        : `exit ${result.code}, ${good}/${n} jobs finished with 0 ${result.stderr.trim().slice(0, 200)}`,
    };
  } finally {
    spawnSync(tsp, ['-K'], { env, timeout: 5000 });
    removeTemp(dir);
  }
}

// GNU parallel: `parallel -j<concurrency> -N0 <command> ::: 1..N` (-N0: run the command once per
// argument without appending it), with a job log to check that every job ran and exited 0.
// Its per-job temp files go to a tmpfs when there is one: on a journal-less ext4 the thousands of
// files it creates and deletes would slow down file creation in whichever run comes next.
export async function runParallel(parallel, n, argv, concurrency) {
  const dir = existsSync('/dev/shm') ? tempDir('parallel', '/dev/shm') : tempDir('parallel');
  const joblog = join(dir, 'joblog');
  try {
    const args = [
      '--will-cite',
      `-j${concurrency}`,
      '-N0',
      '--joblog',
      joblog,
      ...argv,
      ':::',
      ...Array.from({ length: n }, (_, i) => String(i + 1)),
    ];
    const result = await run(parallel, args, { env: { ...process.env, TMPDIR: dir } });
    const lines = readFileSync(joblog, 'utf8').trim().split('\n').slice(1);
    const good = lines.filter((line) => line.split('\t')[6] === '0').length;
    const ok = result.code === 0 && good === n;
    return {
      ms: result.ms,
      ok,
      error: ok ? undefined : `exit ${result.code}, ${good}/${n} jobs exited 0 ${result.stderr.trim().slice(0, 200)}`,
    };
  } finally {
    removeTemp(dir);
  }
}

// orchestrate: `orchestrate start`, N task files dropped atomically (dot-name .tmp, then rename) into
// tasks/pending/, timed from the first rename until all N are in tasks/completed/. Also reads the
// daemon's peak RSS (VmHWM) once the run is over, and what the run cost per task (see costs.mjs).
// Each task runs `shellCommand` as a `shell` task, or with `argv`, is a task for an argv agent whose
// command line that is (`command: [...]`, as the AI presets run).
// With `root`, the run goes into that existing workspace (which is kept) and counts only new tasks.
export async function runOrchestrate(n, shellCommand, { root: existing, prefix = 't', argv } = {}) {
  const root = existing ?? makeWorkspace('orch', argv ? argvConfig(argv) : undefined);
  try {
    const pid = startDaemon(root);
    const pending = join(root, 'tasks/pending');
    const completed = join(root, 'tasks/completed');
    const failedDir = join(root, 'tasks/failed');
    const before = new Set([...taskNames(completed), ...taskNames(failedDir)]);
    const fresh = (names) => names.filter((name) => !before.has(name));
    const width = String(n).length;
    const text = argv
      ? 'description: bench no-op\n'
      : `description: bench no-op\ncommand: ${JSON.stringify(shellCommand)}\n`;
    const ids = Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
    // Taken before the task files are written: the files a run creates then count the new copy of
    // each task file it writes, as the submitted copy it removes is not counted.
    const costsBefore = await costsNow(root);
    // The submitter writes every file under a dot-name first (the daemon ignores those); the clock
    // starts at the first rename, the moment a task appears in the inbox.
    for (const id of ids) writeFileSync(join(pending, `.${id}.yaml.tmp`), text);
    const t0 = now();
    for (const id of ids) renameSync(join(pending, `.${id}.yaml.tmp`), join(pending, `${id}.yaml`));
    const dropMs = now() - t0;
    const end = await pollUntil(() => taskNames(completed).length + taskNames(failedDir).length >= n + before.size, {
      everyMs: 10,
      timeoutMs: 300_000,
      what: `${n} tasks to finish`,
    });
    const ms = end - t0;
    const costs = costsPerTask(costsBefore, await costsNow(root), n);
    const memory = procMemory(pid);
    const done = fresh(taskNames(completed));
    const failed = fresh(taskNames(failedDir));
    const succeeded = done.filter((name) =>
      /^result:\n {2}outcome: success$/m.test(readFileSync(join(completed, name), 'utf8')),
    ).length;
    const ok = done.length === n && failed.length === 0 && succeeded === n;
    return {
      ms,
      ok,
      dropMs,
      pid,
      peakRssKb: memory?.hwmKb,
      rssKb: memory?.rssKb,
      costs,
      error: ok ? undefined : `${done.length} completed (${succeeded} with outcome success), ${failed.length} failed`,
    };
  } finally {
    stopDaemon(root);
    if (!existing) removeTemp(root);
  }
}

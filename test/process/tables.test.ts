// Both process tables answer the same questions the same way about the same real processes: identity
// (start times, recycled pids, zombies), a run's processes by their marker, runner shells, leftover
// launchers, process groups, and files open for writing. Each also reads the other's start times.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { LinuxTable } from '../../src/process/linux-table.js';
import { PosixTable } from '../../src/process/posix-table.js';
import { fileKey, RUN_MARKER, RUNNER_MARKER, type ProcessTable } from '../../src/process/table-contract.js';
import { deadPid, pidAlive } from '../helpers/faults.js';
import { waitFor } from '../helpers/workspace.js';

const started: ChildProcess[] = [];
const orphans: number[] = [];
let dir: string | undefined;

afterEach(() => {
  for (const child of started.splice(0)) child.kill('SIGKILL');
  for (const pid of orphans.splice(0)) signal(pid);
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

// A shell script run detached (its own session and process group), with `env` added to ours.
function start(script: string, env: Record<string, string> = {}, args: string[] = []): ChildProcess {
  const child = spawn('/bin/sh', ['-c', script, 'sh', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, ...env },
  });
  started.push(child);
  return child;
}

// The first line a started script prints.
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
}

// A process left behind: started by a script that ended, so its parent is no longer this one.
async function orphan(env: Record<string, string>): Promise<number> {
  const parent = start('sleep 30 & echo $!', env);
  const exited = new Promise((resolve) => parent.once('exit', resolve));
  const pid = Number(await firstLine(parent));
  orphans.push(pid);
  await exited;
  return pid;
}

// Where a workspace with a space in its path keeps its runs, and one run of it.
const RUNS = '/tmp/my work/.orchestrate/runs';
const RUN_DIR = `${RUNS}/task-a/1`;

const TABLES: [string, () => ProcessTable, () => ProcessTable][] = [
  ['linux', () => new LinuxTable(), () => new PosixTable()],
  ['posix', () => new PosixTable(), () => new LinuxTable()],
];

describe.each(TABLES)('the %s process table', (_name, makeTable, makeOther) => {
  it('knows a process by its start time, whichever table recorded it, and not a recycled pid', () => {
    const table = makeTable();
    const pid = start('exec sleep 30').pid!;
    const own = table.startTimeOf(pid);
    expect(own).toBeDefined();
    expect(table.isSameProcess(pid, own)).toBe(true);
    expect(table.isSameProcess(pid, makeOther().startTimeOf(pid))).toBe(true);
    // The same pid recorded for a process that started long before (in either table's form).
    expect(table.isSameProcess(pid, '@1000000000')).toBe(false);
    expect(table.isSameProcess(pid, '1')).toBe(false);
    expect(table.isSameProcess(pid, undefined)).toBe(true);
    const gone = deadPid();
    expect(table.isProcessAlive(gone)).toBe(false);
    expect(table.isSameProcess(gone, own)).toBe(false);
  });

  it('counts a zombie as ended', async () => {
    // `sleep 0` ends; its parent, now `sleep 30`, never reaps it.
    const child = start('sleep 0 & echo $!; exec sleep 30');
    const zombie = Number(await firstLine(child));
    await waitFor('the zombie', () => !pidAlive(zombie));
    const table = makeTable();
    expect(table.isProcessAlive(zombie)).toBe(false);
    expect(table.isSameProcess(zombie, undefined)).toBe(false);
    expect(table.isProcessAlive(child.pid!)).toBe(true);
  });

  it("finds a run's processes by its marker, wherever they went, and nothing unmarked", async () => {
    const marked = start('exec sleep 30', { [RUN_MARKER]: RUN_DIR }).pid!;
    // It left the run's group and session, as `setsid` would, and its parent ended.
    const escapedPid = await orphan({ [RUN_MARKER]: RUN_DIR });
    const otherRun = start('exec sleep 30', { [RUN_MARKER]: `${RUN_DIR}0` }).pid!;
    const unmarked = start('exec sleep 30').pid!;
    const table = makeTable();
    expect(table.findRunProcesses(RUN_DIR).sort((a, b) => a - b)).toEqual([marked, escapedPid].sort((a, b) => a - b));
    expect(table.isMarkedProcess(marked, RUN_DIR)).toBe(true);
    expect(table.isMarkedProcess(otherRun, RUN_DIR)).toBe(false);
    expect(table.isMarkedProcess(unmarked, RUN_DIR)).toBe(false);
    expect(table.isMarkedProcess(deadPid(), RUN_DIR)).toBe(false);
  });

  it('tells the runner shells of a workspace from other processes', async () => {
    const runner = start('exec sleep 30', { [RUNNER_MARKER]: RUNS }).pid!;
    const elsewhere = start('exec sleep 30', { [RUNNER_MARKER]: `${RUNS}2` }).pid!;
    const table = makeTable();
    expect(table.isRunnerOf(runner, RUN_DIR)).toBe(true);
    expect(table.isRunnerOf(elsewhere, RUN_DIR)).toBe(false);
  });

  it('lists the live members of process groups', async () => {
    const leader = start('sleep 30 & echo $!; wait');
    const member = Number(await firstLine(leader));
    const alone = start('exec sleep 30').pid!;
    const members = makeTable().membersOfGroups(new Set([leader.pid!, alone, deadPid()]));
    expect([...members.keys()].sort()).toEqual([leader.pid!, alone].sort());
    expect(members.get(leader.pid!)!.sort((a, b) => a - b)).toEqual([leader.pid!, member].sort((a, b) => a - b));
    expect(members.get(alone)).toEqual([alone]);
  });

  it('finds the process writing a file of a folder, not one only reading it, and no longer once it has closed it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'orchestrate-tables-'));
    const folder = join(dir, 'pending');
    mkdirSync(folder);
    const file = join(folder, 'task.yaml');
    writeFileSync(file, 'description: half');
    const writer = start('exec 3>>"$1"; echo open; exec sleep 30', {}, [file]);
    const reader = start('exec 3<"$1"; echo open; exec sleep 30', {}, [file]);
    await Promise.all([firstLine(writer), firstLine(reader)]);
    const table = makeTable();
    const key = fileKey(statSync(file));
    const opens = table.openFiles(folder).get(key) ?? [];
    const writers = opens.map((open) => table.writerThrough(open, key)).filter((found) => found !== undefined);
    expect(writers).toEqual([{ pid: writer.pid, command: 'sleep' }]);
    writer.kill('SIGKILL');
    await waitFor('the writer to end', () => !pidAlive(writer.pid!));
    expect(opens.map((open) => table.writerThrough(open, key)).filter((found) => found !== undefined)).toEqual([]);
  });
});

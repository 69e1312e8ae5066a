// Which live process a run is: the runner shell its run.json records (or, for a run an older daemon
// started, its pid and pid.start files), once that runner has begun the run and until it wrote the
// run's exit status, and never a recycled pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bootSeconds } from '../../src/process/linux-table.js';
import { processTable } from '../../src/process/process-table.js';
import { secondsRecord, startSeconds } from '../../src/process/start-time.js';
import { isRunProcess, readPid, type RunRecord } from '../../src/queue/run-files.js';
import { waitFor } from '../helpers/workspace.js';

let root: string | undefined;
let runner: ChildProcess | undefined;
afterEach(() => {
  runner?.kill('SIGKILL');
  runner = undefined;
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

// A run folder, and a live shell standing in for the runner of its workspace (it carries the marker).
async function runWithRunner(): Promise<{ runDir: string; pid: number; start: string }> {
  root = mkdtempSync(join(tmpdir(), 'orchestrate-run-files-'));
  const runs = join(root, 'runs');
  const runDir = join(runs, 'job', '1');
  mkdirSync(runDir, { recursive: true });
  runner = spawn('/bin/sh', ['-c', 'read line'], { env: { ...process.env, ORCHESTRATE_RUNNER: runs } });
  const pid = runner.pid!;
  // Its environment shows the marker once it has exec'd /bin/sh.
  await waitFor('the runner to exec', () =>
    readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`ORCHESTRATE_RUNNER=${runs}\0`),
  );
  return { runDir, pid, start: processTable.startTimeOf(pid)! };
}

const record = (runner?: RunRecord['runner']): RunRecord => ({
  task_id: 'job',
  attempt: 1,
  agent: 'shell',
  slot: 'shell#1',
  worker: 'here',
  started_at: new Date().toISOString(),
  timeout_ms: null,
  ...(runner ? { runner } : {}),
});

describe('the process of a run', () => {
  it('is the runner run.json records, once it began the run, until it wrote the exit status', async () => {
    const { runDir, pid, start } = await runWithRunner();
    writeFileSync(join(runDir, 'run.json'), JSON.stringify(record({ pid, start })));
    expect(readPid(runDir)).toBe(pid);
    // Handed over, but not begun (a runner stalled before it read the request): not the run's process.
    expect(isRunProcess(pid, runDir)).toBe(false);
    writeFileSync(join(runDir, 'stdout'), '');
    expect(isRunProcess(pid, runDir)).toBe(true);
    writeFileSync(join(runDir, 'exit'), '0\n');
    expect(isRunProcess(pid, runDir)).toBe(false);
  });

  it('is not a process that took a recorded pid over (another start time)', async () => {
    const { runDir, pid } = await runWithRunner();
    writeFileSync(join(runDir, 'run.json'), JSON.stringify(record({ pid, start: '1' })));
    writeFileSync(join(runDir, 'stdout'), '');
    expect(isRunProcess(pid, runDir)).toBe(false);
  });

  it('is the recorded runner whose start the other process table wrote (seconds, not ticks)', async () => {
    const { runDir, pid, start } = await runWithRunner();
    // What the posix table records for the same process: its start in seconds since the epoch.
    const seconds = /^\d+$/.test(start)
      ? startSeconds({ kind: 'ticks', ticks: Number(start) }, bootSeconds())
      : undefined;
    const recorded = seconds === undefined ? start : secondsRecord(seconds);
    writeFileSync(join(runDir, 'run.json'), JSON.stringify(record({ pid, start: recorded })));
    writeFileSync(join(runDir, 'stdout'), '');
    expect(isRunProcess(pid, runDir)).toBe(true);
  });

  it('is found from the pid files of a run an older daemon started', async () => {
    const { runDir, pid, start } = await runWithRunner();
    writeFileSync(join(runDir, 'run.json'), JSON.stringify(record()));
    writeFileSync(join(runDir, 'pid'), `${pid}\n`);
    writeFileSync(join(runDir, 'pid.start'), `${start}\n`);
    writeFileSync(join(runDir, 'stdout'), '');
    expect(readPid(runDir)).toBe(pid);
    expect(isRunProcess(pid, runDir)).toBe(true);
  });
});

// Lockfiles between daemons: another live daemon's lock blocks an overlapping take, a dead
// daemon's lock blocks only while its agent still runs, and a sweep removes what binds no more.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  currentOwner,
  foreignHeld,
  readHeld,
  sweepLocks,
  takeLocks,
  type HeldLocks,
  type LockOwner,
} from '../../src/queue/resource-locks.js';
import { makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { deadPid } from '../helpers/faults.js';

let ws: Workspace | undefined;
let other: ChildProcess | undefined;

afterEach(() => {
  other?.kill('SIGKILL');
  other = undefined;
  ws?.cleanup();
  ws = undefined;
});

// A real live process standing in for another daemon, with its start time as the kernel has it.
function liveOwner(): LockOwner {
  other = spawn('sleep', ['30'], { stdio: 'ignore' });
  const stat = readFileSync(`/proc/${other.pid}/stat`, 'utf8');
  return { host: hostname(), pid: other.pid!, start: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] };
}

function plant(root: string, held: Omit<HeldLocks, 'taken_at'>): void {
  writeFileSync(
    join(root, '.orchestrate/locks', `${held.task}.held`),
    JSON.stringify({ ...held, taken_at: new Date().toISOString() }),
  );
}

describe('resource lockfiles', () => {
  it("refuses a take that overlaps another live daemon's lock, and leaves no file of its own", () => {
    ws = makeWorkspace();
    plant(ws.root, { task: 'theirs', attempt: 1, locks: ['src/**'], owner: liveOwner() });
    const me = currentOwner();
    expect(takeLocks(ws.layout, me, { task: 'mine', attempt: 1, locks: ['src/a.ts'] })).toEqual({
      ok: false,
      lock: 'src/**',
      heldBy: 'theirs',
    });
    expect(readHeld(ws.layout).map((held) => held.task)).toEqual(['theirs']);
    expect(takeLocks(ws.layout, me, { task: 'docs', attempt: 1, locks: ['docs/**'] })).toEqual({ ok: true });
    expect(foreignHeld(ws.layout, me).map((held) => held.task)).toEqual(['theirs']);
  });

  it("ignores a dead daemon's lock whose agent is gone, and a recycled pid does not revive it", () => {
    ws = makeWorkspace();
    plant(ws.root, {
      task: 'dead',
      attempt: 1,
      locks: ['db'],
      owner: { host: hostname(), pid: deadPid(), start: '1' },
    });
    const recycled = liveOwner();
    plant(ws.root, { task: 'recycled', attempt: 1, locks: ['db'], owner: { ...recycled, start: 'not-its-start' } });
    plant(ws.root, {
      task: 'elsewhere',
      attempt: 1,
      locks: ['net'],
      owner: { host: 'another-host', pid: 1, start: '1' },
    });
    const me = currentOwner();
    expect(takeLocks(ws.layout, me, { task: 'mine', attempt: 1, locks: ['db'] })).toEqual({ ok: true });
    expect(takeLocks(ws.layout, me, { task: 'mine2', attempt: 1, locks: ['net'] })).toEqual({
      ok: false,
      lock: 'net',
      heldBy: 'elsewhere',
    });
    expect(sweepLocks(ws.layout, me, (id) => id === 'mine').sort()).toEqual(['dead', 'recycled']);
    expect(
      readHeld(ws.layout)
        .map((held) => held.task)
        .sort(),
    ).toEqual(['elsewhere', 'mine']);
  });
});

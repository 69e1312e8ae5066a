// The owner lock that guards a control socket file: held while its owner lives (however long it
// does not answer), cleared once that very process is gone, even if its pid now names another.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ownerEntry, takeOwnerLock } from '../../src/control/owner-lock.js';
import { processTable } from '../../src/process/process-table.js';
import { deadPid } from '../helpers/faults.js';

let folder: string;
let lock: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'orchestrate-lock-'));
  lock = join(folder, 'x.lock');
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

// A lock as its owner left it: the folder with the owner's entry.
function leftBy(owner: { pid: number; start: string | undefined }): void {
  mkdirSync(lock);
  writeFileSync(join(lock, ownerEntry(owner)), '');
}

describe('takeOwnerLock', () => {
  it('is refused to a second taker while held, naming the holder; free again once released', () => {
    const first = takeOwnerLock(lock);
    expect(first.ok).toBe(true);
    expect(takeOwnerLock(lock)).toEqual({
      ok: false,
      holder: { pid: process.pid, start: processTable.startTimeOf(process.pid) },
    });
    if (first.ok) first.release();
    const again = takeOwnerLock(lock);
    expect(again.ok).toBe(true);
    if (again.ok) again.release();
    expect(readdirSync(folder)).toEqual([]);
  });

  it('stays with a live holder that cannot answer (stopped with SIGSTOP)', async () => {
    const child = spawn('sleep', ['30']);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      child.kill('SIGSTOP');
      leftBy({ pid: child.pid!, start: processTable.startTimeOf(child.pid!) });
      expect(takeOwnerLock(lock)).toMatchObject({ ok: false, holder: { pid: child.pid } });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });

  it('is taken from a holder that has exited (a daemon killed with -9)', () => {
    leftBy({ pid: deadPid(), start: '12345' });
    const taken = takeOwnerLock(lock);
    expect(taken.ok).toBe(true);
    expect(readdirSync(lock)).toEqual([ownerEntry({ pid: process.pid, start: processTable.startTimeOf(process.pid) })]);
  });

  it('is taken from a holder whose pid now names another process (a recycled pid)', () => {
    leftBy({ pid: process.pid, start: 'another start time' });
    expect(takeOwnerLock(lock).ok).toBe(true);
  });
});

// The daemon's events file: nothing is appended once it is closed, not even through a file
// descriptor number the system has since handed to another file.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/daemon/event-log.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('EventLog', () => {
  it('appends nothing after close, anywhere', async () => {
    dir = mkdtempSync(join(tmpdir(), 'orchestrate-events-'));
    const path = join(dir, 'events.jsonl');
    const events = new EventLog(path);
    events.append('claimed', { id: 'a' });
    events.close();
    // New files take the lowest free descriptor numbers, so one of them gets the closed one's.
    const others = Array.from({ length: 64 }, (_, n) => join(dir!, `other-${n}`));
    const fds = others.map((other) => openSync(other, 'a'));
    events.append('finished', { id: 'a' });
    await new Promise((resolve) => setImmediate(resolve));
    for (const fd of fds) closeSync(fd);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).type)).toEqual(['claimed']);
    for (const other of others) expect(readFileSync(other, 'utf8')).toBe('');
  });
});

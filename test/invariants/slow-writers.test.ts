// Invariant 3, nothing lost, for what people write: a task file still being written is never read
// half done, and the daemon never writes a task file back from a copy older than what is on disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { recordAttempt, recordEndWithoutAttempt } from '../../src/queue/finish.js';
import { layoutOf } from '../../src/queue/layout.js';
import { readTaskFile } from '../../src/queue/task-file.js';
import { cli, makeWorkspace, waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';
import { foldersOf, startDaemon, tearDown } from '../helpers/faults.js';

let workspace: Workspace | undefined;
let daemon: DaemonProcess | undefined;
let writer: ChildProcess | undefined;

afterEach(async () => {
  writer?.kill('SIGKILL');
  await tearDown(daemon, workspace);
  daemon = workspace = writer = undefined;
});

// A writer like `cat > file` typed by a person: it opens the file, writes the first part, pauses
// (far longer than the stability window) with the file still open, writes the rest and closes it.
function slowWriter(
  path: string,
  first: string,
  rest: string,
  pauseMs: number,
): { child: ChildProcess; done: Promise<void> } {
  const script = `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'w'); fs.writeSync(fd, process.argv[2]);
    setTimeout(() => { if (process.argv[3]) fs.writeSync(fd, process.argv[3]); fs.closeSync(fd); }, Number(process.argv[4]));`;
  const child = spawn(process.execPath, ['-e', script, path, first, rest, String(pauseMs)], { stdio: 'ignore' });
  return { child, done: new Promise((resolve) => child.once('exit', () => resolve())) };
}

describe('nothing lost: slow writers', () => {
  it('does not read a task file that a process still holds open for writing, and keeps every byte written', async () => {
    workspace = makeWorkspace();
    const { root } = workspace;
    daemon = await startDaemon(root);
    const first = 'description: echo first half\ncommand: echo first\n';
    const rest = '# the person kept typing\npriority: low\n';
    const write = slowWriter(join(root, 'tasks/pending/typed.yaml'), first, rest, 2500);
    writer = write.child;
    // Well past the stability window, with the file still open: it has not been read, and `status`
    // says who writes it.
    await sleep(1000);
    expect(foldersOf(root, 'typed')).toEqual(['pending']);
    expect(cli(root, ['status']).stdout).toContain('being written by node');
    await write.done;
    await waitFor('the task to complete', () => foldersOf(root, 'typed').join() === 'completed', 20_000);
    const text = readFileSync(join(root, 'tasks/completed/typed.yaml'), 'utf8');
    expect(text.startsWith(first + rest)).toBe(true);
    expect(text).toContain('outcome: success');
  });

  it('reads the file once its writer closes it, even without a last write', async () => {
    workspace = makeWorkspace();
    const { root } = workspace;
    daemon = await startDaemon(root);
    const text = 'description: echo done\ncommand: echo done\n';
    const write = slowWriter(join(root, 'tasks/pending/closed.yaml'), text, '', 1500);
    writer = write.child;
    await sleep(700);
    expect(foldersOf(root, 'closed')).toEqual(['pending']);
    await write.done;
    await waitFor(
      'the task to complete once the file is closed',
      () => foldersOf(root, 'closed').join() === 'completed',
      20_000,
    );
    expect(readFileSync(join(root, 'tasks/completed/closed.yaml'), 'utf8').startsWith(text)).toBe(true);
  });

  it('finds the writer of a workspace reached through a symlink', async () => {
    workspace = makeWorkspace();
    const link = `${workspace.root}-link`;
    symlinkSync(workspace.root, link);
    try {
      daemon = await startDaemon(link);
      const write = slowWriter(
        join(workspace.root, 'tasks/pending/linked.yaml'),
        'description: echo first\n',
        'priority: low\n',
        2000,
      );
      writer = write.child;
      await sleep(1000);
      expect(foldersOf(workspace.root, 'linked')).toEqual(['pending']);
      await write.done;
      await waitFor('the task to complete', () => foldersOf(workspace!.root, 'linked').join() === 'completed', 20_000);
      expect(
        readFileSync(join(workspace.root, 'tasks/completed/linked.yaml'), 'utf8').startsWith(
          'description: echo first\npriority: low\n',
        ),
      ).toBe(true);
    } finally {
      unlinkSync(link);
    }
  });
});

describe('nothing lost: no write-back from a stale copy', () => {
  it("keeps a comment a person appends to a running task's file", async () => {
    workspace = makeWorkspace();
    const { root } = workspace;
    daemon = await startDaemon(root);
    expect(cli(root, ['add', '--id', 'noted', '--command', 'sleep 1', 'runs a second']).code).toBe(0);
    await waitFor('the task to run', () => foldersOf(root, 'noted').join() === 'assigned');
    appendFileSync(join(root, 'tasks/assigned/noted.yaml'), '# a note added while it ran\n');
    await waitFor('the task to complete', () => foldersOf(root, 'noted').join() === 'completed', 20_000);
    const text = readFileSync(join(root, 'tasks/completed/noted.yaml'), 'utf8');
    expect(text).toContain('outcome: success');
    expect(text.endsWith('# a note added while it ran\n')).toBe(true);
  });

  const end = {
    number: 1,
    slot: 'shell#1',
    worker: 'test',
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:01.000Z',
    exitCode: 0,
    outcome: 'success' as const,
    error: undefined,
  };

  it('records an attempt on the file as it is now when a person changed it after it was read', async () => {
    workspace = makeWorkspace();
    const layout = layoutOf(workspace.root);
    const path = layout.taskPath('assigned', 'edited');
    appendFileSync(path, 'description: echo hi\n');
    const read = readTaskFile(path, 'edited');
    if (read.kind !== 'task') throw new Error('not a task');
    appendFileSync(path, '# a note the person added while it ran\npriority: high\n');
    const source = { text: read.text, fields: read.task.fields, signature: read.signature };
    const recorded = await recordAttempt(
      layout,
      'edited',
      'assigned',
      source,
      end,
      { maxRetries: 0, retryDelayMs: 0 },
      end.startedAt,
    );
    expect(recorded).toMatchObject({ to: 'completed', moved: 'moved' });
    const text = readFileSync(layout.taskPath('completed', 'edited'), 'utf8');
    expect(text.startsWith('description: echo hi\n# a note the person added while it ran\npriority: high\n')).toBe(
      true,
    );
    expect(text).toContain('outcome: success');
  });

  it('ends a task without a run on the file as it is now', async () => {
    workspace = makeWorkspace();
    const layout = layoutOf(workspace.root);
    const path = layout.taskPath('pending', 'skipped');
    appendFileSync(path, 'description: echo hi\n');
    const read = readTaskFile(path, 'skipped');
    if (read.kind !== 'task') throw new Error('not a task');
    appendFileSync(path, 'priority: low\n');
    const source = { text: read.text, fields: read.task.fields, signature: read.signature };
    const recorded = await recordEndWithoutAttempt(
      layout,
      'skipped',
      'pending',
      source,
      { outcome: 'cancelled', error: 'cancelled' },
      end.startedAt,
    );
    expect(recorded.moved).toBe('moved');
    expect(readFileSync(layout.taskPath('failed', 'skipped'), 'utf8')).toMatch(
      /^description: echo hi\npriority: low\n/,
    );
  });

  it('leaves a changed file alone when the ending was decided from its old fields, so it is decided anew', async () => {
    workspace = makeWorkspace();
    const layout = layoutOf(workspace.root);
    const path = layout.taskPath('pending', 'redecided');
    appendFileSync(path, 'description: echo hi\ndepends_on: [gone]\n');
    const read = readTaskFile(path, 'redecided');
    if (read.kind !== 'task') throw new Error('not a task');
    writeFileSync(path, 'description: echo hi\n');
    const source = { text: read.text, fields: read.task.fields, signature: read.signature };
    const recorded = await recordEndWithoutAttempt(
      layout,
      'redecided',
      'pending',
      source,
      { outcome: 'failed', error: 'dependency gone failed' },
      end.startedAt,
      { decidedFromSource: true },
    );
    expect(recorded.moved).toBe('changed');
    expect(readFileSync(path, 'utf8')).toBe('description: echo hi\n');
  });
});

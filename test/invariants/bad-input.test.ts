// Invariant 6, bad input never stops the daemon: invalid YAML, unknown fields, bad values, unknown
// agents, bad ids, odd files and dependency cycles each get one clear line naming the file and the
// field or line; the input is kept byte for byte; every other task carries on.
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dropTask, idsIn, waitFor, type DaemonProcess, type Workspace } from '../helpers/workspace.js';
import { faultWorkspace, foldersOf, readMarker, startDaemon, tearDown } from '../helpers/faults.js';

let workspace: (Workspace & { marker: string }) | undefined;
let daemon: DaemonProcess | undefined;

afterEach(async () => {
  await tearDown(daemon, workspace);
  daemon = workspace = undefined;
});

// Writes bytes into pending/ under a dot-name first, so only whole files are ever seen.
function dropBytes(root: string, name: string, bytes: Buffer): void {
  const temp = join(root, 'tasks/pending', `.drop-${name}.tmp`);
  writeFileSync(temp, bytes);
  renameSync(temp, join(root, 'tasks/pending', name));
}

const alive = (daemon: DaemonProcess) => daemon.child.exitCode === null && daemon.child.signalCode === null;

describe('bad input never stops the daemon', () => {
  it('sets each bad task file aside byte for byte with a clear error, and keeps running good tasks', async () => {
    workspace = faultWorkspace();
    const { root, marker } = workspace;
    daemon = await startDaemon(root);

    // file name -> [bytes, what its .error must mention]
    const bad: Record<string, [Buffer, string[]]> = {
      'bad-yaml.yaml': [
        Buffer.from('description: fine so far\npriority: high\ncommand: "quoted" then not\nagent: shell\n'),
        ['bad-yaml.yaml', 'line 3', 'YAML'],
      ],
      'bad-type.yaml': [
        Buffer.from('description: has a bad priority\npriority: urgent\n'),
        ['bad-type.yaml', 'priority', 'high, normal or low'],
      ],
      'typo.yaml': [
        Buffer.from('descriptoin: a misspelt field\n'),
        ['typo.yaml', 'descriptoin', 'did you mean "description"'],
      ],
      'ghost-agent.yaml': [
        Buffer.from('description: wants an agent that does not exist\nagent: ghost\n'),
        ['ghost-agent.yaml', 'agent', 'ghost'],
      ],
      '-bad.yaml': [Buffer.from('description: a file name that is not an id\n'), ['-bad.yaml', 'id']],
      'a b.yaml': [Buffer.from('description: a file name with a space\n'), ['a b.yaml', 'id']],
      'empty.yaml': [Buffer.alloc(0), ['empty.yaml', 'empty']],
      'latin1.yaml': [
        Buffer.concat([Buffer.from('description: caf'), Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from('\n')]),
        ['latin1.yaml', 'UTF-8'],
      ],
      'huge.yaml': [
        Buffer.concat([Buffer.from('description: a pasted log\n'), Buffer.alloc(50 * 1024 * 1024, '# log line\n')]),
        ['huge.yaml', 'MB'],
      ],
    };
    for (const [name, [bytes]] of Object.entries(bad)) dropBytes(root, name, bytes);
    writeFileSync(join(root, 'outside.yaml'), 'description: reached through a symlink\n');
    symlinkSync(join(root, 'outside.yaml'), join(root, 'tasks/pending/link.yaml'));
    dropTask(root, 'good', 'description: the one good task among the bad\n');

    await waitFor('the good task to complete', () => foldersOf(root, 'good').join() === 'completed', 30_000);
    const failedName = (name: string) => join(root, 'tasks/failed', name);
    const setAside = (name: string) =>
      existsSync(failedName(`${name.slice(0, -'.yaml'.length)}.error`)) &&
      !existsSync(join(root, 'tasks/pending', name));
    await waitFor('every bad file to be set aside', () => Object.keys(bad).every(setAside), 30_000);

    for (const [name, [bytes, mentions]] of Object.entries(bad)) {
      expect(readFileSync(failedName(name)).equals(bytes), `${name} kept byte for byte`).toBe(true);
      expect(existsSync(join(root, 'tasks/pending', name)), name).toBe(false);
      const error = readFileSync(failedName(`${name.slice(0, -'.yaml'.length)}.error`), 'utf8');
      for (const mention of mentions) expect(error, name).toContain(mention);
    }
    // The symlink is refused, not followed: the file it points to is neither run nor changed.
    await waitFor('the symlink to be set aside', () => setAside('link.yaml'), 30_000);
    expect(lstatSync(failedName('link.yaml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(failedName('link.error'), 'utf8')).toContain('symlink');
    expect(readFileSync(join(root, 'outside.yaml'), 'utf8')).toBe('description: reached through a symlink\n');

    expect(alive(daemon)).toBe(true);
    for (const n of [1, 2, 3]) dropTask(root, `later-${n}`, `description: submitted after the bad input (${n})\n`);
    await waitFor(
      'later tasks to complete',
      () => [1, 2, 3].every((n) => foldersOf(root, `later-${n}`).join() === 'completed'),
      30_000,
    );
    expect(alive(daemon)).toBe(true);
    expect(
      readMarker(marker)
        .map((line) => line.id)
        .sort(),
    ).toEqual(['good', 'later-1', 'later-2', 'later-3']);
  });

  it('keeps scheduling while a directory named like a task sits in pending/', async () => {
    workspace = faultWorkspace();
    const { root } = workspace;
    // The directory and the tasks are all there when the daemon starts (found by the full scans only).
    mkdirSync(join(root, 'tasks/pending/0-dir.yaml/inner'), { recursive: true });
    const ids = Array.from({ length: 8 }, (_, n) => `waiting-${n}`);
    for (const id of ids) dropTask(root, id, `description: waiting beside a directory (${id})\n`);
    daemon = await startDaemon(root);
    await waitFor('the directory to be reported', () => daemon!.output().includes('0-dir.yaml'), 30_000);
    await waitFor(
      'the waiting tasks to complete',
      () => ids.every((id) => foldersOf(root, id).join() === 'completed'),
      15_000,
    );
    // And tasks submitted while it sits there.
    for (const id of ['late-1', 'late-2']) dropTask(root, id, `description: submitted beside a directory (${id})\n`);
    await waitFor(
      'the later tasks to complete',
      () => ['late-1', 'late-2'].every((id) => foldersOf(root, id).join() === 'completed'),
      20_000,
    );
    expect(alive(daemon)).toBe(true);
    expect(daemon.output()).not.toContain('reconcile failed');
    // README: a directory is moved to tasks/failed/ with the reason beside it.
    await waitFor('the directory to be set aside', () => existsSync(join(root, 'tasks/failed/0-dir.error')), 10_000);
    expect(readFileSync(join(root, 'tasks/failed/0-dir.error'), 'utf8')).toContain('directory');
  });

  it('sets aside the same bad file name twice without hanging', async () => {
    workspace = faultWorkspace();
    const { root } = workspace;
    daemon = await startDaemon(root);
    dropBytes(root, 'a b.yaml', Buffer.from('description: the first file with a space in its name\n'));
    await waitFor('the first to be set aside', () => existsSync(join(root, 'tasks/failed/a b.error')));
    const second = Buffer.from('description: the second file with the same bad name\n');
    dropBytes(root, 'a b.yaml', second);
    await waitFor('the second to be set aside', () => !existsSync(join(root, 'tasks/pending/a b.yaml')), 8_000);
    dropTask(root, 'after-twice', 'description: submitted after the second bad file\n');
    await waitFor('a later task to complete', () => foldersOf(root, 'after-twice').join() === 'completed', 10_000);
    const kept = readdirSync(join(root, 'tasks/failed')).filter(
      (name) => name.endsWith('.yaml') && readFileSync(join(root, 'tasks/failed', name)).equals(second),
    );
    expect(kept).toHaveLength(1);
  });

  it('sets aside a re-used long id without hanging', async () => {
    workspace = faultWorkspace();
    const { root } = workspace;
    daemon = await startDaemon(root);
    const id = `long-${'x'.repeat(191)}`;
    dropTask(root, id, 'description: a task with a long id\n');
    await waitFor('the first to complete', () => foldersOf(root, id).join() === 'completed');
    dropTask(root, id, 'description: another task re-using the long id\n');
    await waitFor(
      'the re-used id to be set aside',
      () => !existsSync(join(root, 'tasks/pending', `${id}.yaml`)),
      8_000,
    );
    dropTask(root, 'after-long', 'description: submitted after the re-used long id\n');
    await waitFor('a later task to complete', () => foldersOf(root, 'after-long').join() === 'completed', 10_000);
  });

  it('reports a dependency cycle, file and ids, and keeps its tasks waiting without blocking others', async () => {
    workspace = faultWorkspace();
    const { root, marker } = workspace;
    daemon = await startDaemon(root);
    dropTask(root, 'cycle-a', 'description: waits for b\ndepends_on: [cycle-b]\n');
    dropTask(root, 'cycle-b', 'description: waits for a\ndepends_on: [cycle-a]\n');
    dropTask(root, 'self-loop', 'description: waits for itself\ndepends_on: self-loop\n');
    dropTask(root, 'bystander', 'description: has nothing to do with the cycle\n');
    await waitFor('the bystander to complete', () => foldersOf(root, 'bystander').join() === 'completed');

    const cyclic = ['cycle-a', 'cycle-b', 'self-loop'];
    await waitFor(
      'each cyclic task to be reported',
      () => cyclic.every((id) => daemon!.output().includes(`tasks/pending/${id}.yaml: depends_on: dependency cycle `)),
      10_000,
    );
    expect(daemon.output()).toContain(
      'tasks/pending/self-loop.yaml: depends_on: dependency cycle self-loop -> self-loop; it waits in pending/ (remove one of these dependencies)',
    );
    for (const id of cyclic) expect(foldersOf(root, id), id).toEqual(['pending']);
    expect(readMarker(marker).map((line) => line.id)).toEqual(['bystander']);
    expect(alive(daemon)).toBe(true);
  });

  it('keeps the last good configuration when orchestrator.yaml turns invalid, and keeps working', async () => {
    workspace = faultWorkspace();
    const { root } = workspace;
    daemon = await startDaemon(root);
    const config = join(root, 'orchestrator.yaml');
    const good = readFileSync(config, 'utf8');
    writeFileSync(config, `${good}max_concurent: 9\n`);
    await waitFor('the bad config to be reported', () => daemon!.output().includes('max_concurent'), 15_000);
    dropTask(root, 'under-old-config', 'description: runs with the last good config\n');
    await waitFor('the task to complete', () => foldersOf(root, 'under-old-config').join() === 'completed');
    expect(alive(daemon)).toBe(true);
    expect(idsIn(root, 'failed')).toEqual([]);
  });
});

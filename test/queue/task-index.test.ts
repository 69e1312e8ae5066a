import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, renameSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let workspace: Workspace | undefined;
afterEach(() => workspace?.cleanup());

const listed = (root: string) =>
  JSON.parse(cli(root, ['tasks', '--json']).stdout) as { id: string; state: string; description: string }[];

describe('the task index cache', () => {
  it('is rebuilt from the files: edits in place, moves and deletions show on the next listing', () => {
    workspace = makeWorkspace();
    const { root } = workspace;
    const pending = join(root, 'tasks/pending');
    writeFileSync(join(pending, 'a.yaml'), 'description: first words\n');
    writeFileSync(join(pending, 'b.yaml'), 'description: second\ncreated_at: 2026-01-01T00:00:00.000Z\n');
    expect(listed(root).map((task) => [task.id, task.description])).toEqual([
      ['a', 'first words'],
      ['b', 'second'],
    ]);
    expect(readFileSync(join(root, '.orchestrate/index.tsv'), 'utf8')).toMatch(/^orchestrate-index 2\n/);

    // Same size, same inode, only the mtime differs: still seen.
    writeFileSync(join(pending, 'a.yaml'), 'description: other words\n');
    utimesSync(join(pending, 'a.yaml'), new Date(), new Date(Date.now() + 5000));
    renameSync(join(pending, 'b.yaml'), join(root, 'tasks/failed/b.yaml'));
    expect(listed(root).map((task) => [task.id, task.state, task.description])).toEqual([
      ['a', 'pending', 'other words'],
      ['b', 'failed', 'second'],
    ]);

    unlinkSync(join(pending, 'a.yaml'));
    expect(listed(root).map((task) => task.id)).toEqual(['b']);
    // Entries of files that are gone are dropped from the cache, not carried forever.
    expect(
      readFileSync(join(root, '.orchestrate/index.tsv'), 'utf8')
        .split('\n')
        .filter((line) => line.includes('\t'))
        .map((line) => line.split('\t')[0]),
    ).toEqual(['failed/b']);
  });

  it('shows an invalid file as invalid, and a torn cache is ignored, not trusted', () => {
    workspace = makeWorkspace();
    const { root } = workspace;
    writeFileSync(join(root, 'tasks/pending/bad.yaml'), 'description: [unclosed\n');
    writeFileSync(join(root, 'tasks/pending/good.yaml'), 'description: fine\n');
    writeFileSync(
      join(root, '.orchestrate/index.tsv'),
      'orchestrate-index 2\npending/good\t1\t2\t3\t\t{"id":"good","sta',
    );
    const tasks = listed(root);
    expect(tasks.find((task) => task.id === 'bad')?.description).toMatch(/^\(invalid: invalid YAML/);
    expect(tasks.find((task) => task.id === 'good')?.description).toBe('fine');
  });
});

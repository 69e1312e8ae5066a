import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gitIn, gitSucceeds, repoWorkspace } from '../helpers/git-repo.js';
import { cli, daemonTest, dropTask, inProcessDaemon, makeWorkspace } from '../helpers/workspace.js';

const t = daemonTest();

const branches = (root: string) =>
  gitIn(root, 'for-each-ref', '--format=%(refname:lstrip=2)', 'refs/heads/orchestrate/')
    .split('\n')
    .filter(Boolean)
    .sort();

describe('orchestrate clean', () => {
  it('removes merged and unchanged work, keeps unmerged, uncommitted and pending work, saying why', async () => {
    t.ws = repoWorkspace();
    const { root } = t.ws;
    dropTask(root, 'merged', 'description: merged\ncommand: echo m > m.txt\n');
    dropTask(root, 'manual', 'description: manual\nmerge: manual\ncommand: echo x > x.txt\n');
    dropTask(root, 'nothing', 'description: nothing\ncommand: "true"\n');
    dropTask(root, 'broken', 'description: broken\ncommand: echo half > half.txt; exit 1\n');
    dropTask(root, 'again', 'description: again\nmerge: manual\ncommand: echo y > y.txt\n');
    t.daemon = inProcessDaemon(root, { untilIdle: true });
    await t.daemon.done;
    // A person moves one back to pending: its worktree is where it will work again.
    renameSync(join(root, 'tasks/completed/again.yaml'), join(root, 'tasks/pending/again.yaml'));

    const dry = cli(root, ['clean', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would remove .orchestrate/worktrees/merged and orchestrate/merged: merged into main');
    expect(branches(root)).toHaveLength(5);

    const cleaned = cli(root, ['clean']);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout.trim().split('\n')).toEqual([
      'kept .orchestrate/worktrees/again and orchestrate/again: its task is pending (it will work there again)',
      'kept .orchestrate/worktrees/broken and orchestrate/broken: uncommitted changes in .orchestrate/worktrees/broken (commit or discard them, then clean again)',
      'kept .orchestrate/worktrees/manual and orchestrate/manual: 1 commit not merged into main (merge: git merge orchestrate/manual; discard: git branch -D orchestrate/manual)',
      'removed .orchestrate/worktrees/merged and orchestrate/merged: merged into main',
      'removed .orchestrate/worktrees/nothing and orchestrate/nothing: no changes',
      'removed 2, kept 3',
    ]);
    expect(branches(root)).toEqual(['orchestrate/again', 'orchestrate/broken', 'orchestrate/manual']);
    expect(existsSync(join(root, '.orchestrate/worktrees/merged'))).toBe(false);
    expect(existsSync(join(root, '.orchestrate/worktrees/broken/half.txt'))).toBe(true);

    // Once the manual branch is merged by a person, clean removes it too.
    gitIn(root, 'merge', '--quiet', '--no-edit', 'orchestrate/manual');
    const json = JSON.parse(cli(root, ['clean', '--json']).stdout);
    expect(json.entries).toContainEqual({
      id: 'manual',
      branch: 'orchestrate/manual',
      worktree: '.orchestrate/worktrees/manual',
      action: 'removed',
      reason: 'merged into main',
    });
    expect(gitSucceeds(root, 'rev-parse', '--verify', '--quiet', 'refs/heads/orchestrate/manual')).toBe(false);
  });

  it('says there is nothing to clean outside a git repository', () => {
    t.ws = makeWorkspace();
    const result = cli(t.ws.root, ['clean']);
    expect(result).toMatchObject({ code: 0, stdout: 'nothing to clean: the workspace is not in a git repository\n' });
  });
});

import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containedPath } from '../../src/queue/contained-path.js';
import { loadConfig } from '../../src/queue/config-file.js';
import { agentFolder, contextFileProblems } from '../../src/queue/input-paths.js';
import { layoutOf } from '../../src/queue/layout.js';

// A real workspace: docs/a.md, a folder of its own, and symlinks leading in and out of it.
let root: string;
let outside: string;
beforeEach(() => {
  outside = mkdtempSync(join(tmpdir(), 'contained-outside-'));
  writeFileSync(join(outside, 'secret.md'), 'SECRET\n');
  root = join(mkdtempSync(join(tmpdir(), 'contained-')), 'ws');
  mkdirSync(join(root, 'docs/deep'), { recursive: true });
  writeFileSync(join(root, 'docs/a.md'), 'A\n');
  symlinkSync('/', join(root, 'link'));
  symlinkSync(outside, join(root, 'docs/out'));
  symlinkSync('docs', join(root, 'alias'));
  symlinkSync('../..', join(root, 'docs/deep/up'));
});
afterEach(() => {
  rmSync(join(root, '..'), { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('containedPath', () => {
  it('follows symlinks at every level, like the OS', () => {
    expect(containedPath(root, 'link/etc/passwd')).toEqual({ kind: 'outside', real: '/etc/passwd' });
    expect(containedPath(root, 'docs/out/secret.md')).toEqual({
      kind: 'outside',
      real: join(realpathSync(outside), 'secret.md'),
    });
    expect(containedPath(root, 'link')).toEqual({ kind: 'outside', real: '/' });
    // `..` is taken after the symlink before it, as open(2) does: link/.. is the parent of /.
    expect(containedPath(root, 'link/..')).toEqual({ kind: 'outside', real: '/' });
    expect(containedPath(root, 'docs/deep/up/..')).toMatchObject({ kind: 'outside' });
    expect(containedPath(root, '/etc/passwd')).toEqual({ kind: 'outside', real: '/etc/passwd' });
  });

  it('accepts what stays inside, symlinks included, and gives the path it really names under the workspace', () => {
    expect(containedPath(root, 'docs/a.md')).toEqual({ kind: 'inside', path: join(root, 'docs/a.md') });
    expect(containedPath(root, 'alias/a.md')).toEqual({ kind: 'inside', path: join(root, 'docs/a.md') });
    expect(containedPath(root, 'docs/deep/up')).toEqual({ kind: 'inside', path: root });
    expect(containedPath(root, '.')).toEqual({ kind: 'inside', path: root });
  });

  it('calls a path missing when nothing is there, even behind a symlink leading out', () => {
    expect(containedPath(root, 'docs/none.md')).toEqual({ kind: 'missing' });
    expect(containedPath(root, 'link/no-such-file-here')).toEqual({ kind: 'missing' });
  });
});

describe('the paths of task and config files', () => {
  it('names each context file that leads outside, with its field and the fix', () => {
    expect(contextFileProblems(root, ['docs/a.md', 'link/etc/passwd', 'docs/none.md', 'alias/a.md'])).toEqual([
      {
        path: 'context_files[1]',
        message:
          '"link/etc/passwd" leads outside the workspace through a symlink (to /etc/passwd); use a file inside the workspace',
      },
    ]);
    expect(contextFileProblems(root, ['docs/out/secret.md'], 'tasks[2].context_files')).toEqual([
      {
        path: 'tasks[2].context_files[0]',
        message: expect.stringContaining('"docs/out/secret.md" leads outside the workspace'),
      },
    ]);
  });

  it("runs an agent in its cwd's real folder inside the workspace, and nowhere outside it", () => {
    expect(agentFolder(root, {}, 'a', 'workspace')).toEqual({ kind: 'ready', path: root });
    expect(agentFolder(root, { cwd: 'alias' }, 'a', 'workspace')).toEqual({ kind: 'ready', path: join(root, 'docs') });
    expect(agentFolder(root, { cwd: 'none' }, 'a', 'workspace')).toEqual({ kind: 'missing', path: join(root, 'none') });
    expect(agentFolder(root, { cwd: 'link' }, 'a', 'worktree')).toEqual({
      kind: 'outside',
      problem: {
        path: 'agents.a.cwd',
        message: '"link" leads outside the worktree through a symlink (to /); use a folder inside the worktree',
      },
    });
  });

  it('refuses a config whose cwd or context.files lead outside, one line each naming the file and field', () => {
    writeFileSync(
      join(root, 'orchestrator.yaml'),
      'agents:\n  a: { preset: shell, cwd: link }\n  b: { preset: shell, cwd: alias }\ncontext: { files: [docs/a.md, docs/out/secret.md] }\n',
    );
    const loaded = loadConfig(layoutOf(root));
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors).toHaveLength(2);
    expect(loaded.errors[0]).toMatch(
      /orchestrator\.yaml: agents\.a\.cwd: "link" leads outside the workspace through a symlink \(to \/\); use a folder inside the workspace$/,
    );
    expect(loaded.errors[1]).toMatch(
      /orchestrator\.yaml: context\.files\[1\]: "docs\/out\/secret\.md" leads outside the workspace/,
    );
    writeFileSync(
      join(root, 'orchestrator.yaml'),
      'agents:\n  b: { preset: shell, cwd: alias }\ncontext: { files: [docs/a.md, docs/none.md] }\n',
    );
    expect(loadConfig(layoutOf(root)).ok).toBe(true);
  });
});

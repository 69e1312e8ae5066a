// Real git repositories for the worktree tests: a workspace that is also a repository, and git run
// as a person would (with an identity of its own, so the daemon's fallback identity stays visible).
import { spawnSync } from 'node:child_process';
import { realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAST_DAEMON, makeWorkspace, type Workspace } from './workspace.js';

// git as the test's "person": fails the test with git's message when it fails.
export function gitIn(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.name=Person', '-c', 'user.email=person@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

// Whether git succeeds (for checks such as "the branch exists").
export function gitSucceeds(cwd: string, ...args: string[]): boolean {
  return spawnSync('git', args, { cwd, encoding: 'utf8' }).status === 0;
}

// An orchestrator.yaml with the shell agent, worktrees by default, and extra lines.
export function worktreeConfig(extra = '', instances = 2): string {
  return `max_concurrent: ${instances}\nagents:\n  shell: { preset: shell, max_instances: ${instances} }\ndefaults: { agent: shell, retry_delay: 100ms, max_retries: 0, workspace: worktree }\n${FAST_DAEMON}${extra}`;
}

// A workspace that is a git repository on `main` with one commit: a.txt, and a .gitignore for
// the runtime folders (tasks/ too, so the task files' moves do not show in the tests' diffs).
export function repoWorkspace(config = worktreeConfig()): Workspace {
  const ws = makeWorkspace(config);
  const root = realpathSync(ws.root);
  gitIn(root, 'init', '--quiet', '--initial-branch=main');
  writeFileSync(join(root, '.gitignore'), '.orchestrate/\ntasks/\ncontext/\n.env\n');
  writeFileSync(join(root, 'a.txt'), 'base\n');
  gitIn(root, 'add', '.gitignore', 'a.txt', 'orchestrator.yaml');
  gitIn(root, 'commit', '--quiet', '-m', 'init');
  return { ...ws, root };
}

import { resolve } from 'node:path';
import { git } from './git.js';

// The repository a workspace is in: its main checkout's top folder, the .git folder every
// worktree shares, and where the workspace sits inside the checkout ("" or "packages/api/").
export interface Repo {
  top: string;
  commonDir: string;
  prefix: string;
}

export type RepoLookup = { ok: true; repo: Repo } | { ok: false; error: string };

// `git merge-tree --write-tree` (merging without touching any checkout) came with git 2.38.
const MIN_VERSION = [2, 38] as const;
let versionCheck: Promise<string | undefined> | undefined;

async function versionProblem(cwd: string): Promise<string | undefined> {
  const { stdout } = await git(cwd, ['--version']);
  const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(stdout) ?? []).slice(1).map(Number);
  if (major > MIN_VERSION[0] || (major === MIN_VERSION[0] && minor >= MIN_VERSION[1])) return undefined;
  return `workspace: worktree needs git ${MIN_VERSION.join('.')} or newer (found ${stdout.trim() || 'an unknown version'}): upgrade git`;
}

// Finds the repository of a workspace, or says why worktrees cannot be used there.
export async function findRepo(root: string): Promise<RepoLookup> {
  try {
    versionCheck ??= versionProblem(root);
    const tooOld = await versionCheck;
    if (tooOld) return { ok: false, error: tooOld };
    const result = await git(root, ['rev-parse', '--show-toplevel', '--git-common-dir', '--show-prefix']);
    if (result.code !== 0) return { ok: false, error: 'workspace: worktree needs a git repository: run git init' };
    const [top = root, common = '.git', prefix = ''] = result.stdout.split('\n');
    return { ok: true, repo: { top, commonDir: resolve(root, common), prefix } };
  } catch (error) {
    versionCheck = undefined;
    return { ok: false, error: `workspace: worktree needs git: ${(error as Error).message}` };
  }
}

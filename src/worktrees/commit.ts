import { git, gitOk, identityArgs } from './git.js';

// Commits everything the agent left in its worktree (git-ignored files aside) on the task's branch,
// as one commit whose last paragraph holds the trailers. Nothing to commit is not an error.
export async function commitWork(path: string, branch: string, paragraphs: readonly string[]): Promise<void> {
  const head = await git(path, ['symbolic-ref', '--quiet', 'HEAD']);
  const on = head.code === 0 ? head.stdout.trim() : undefined;
  if (on !== `refs/heads/${branch}`) {
    throw new Error(
      `the agent left its worktree on ${on === undefined ? 'a detached HEAD' : on.replace(/^refs\/heads\//, '')} instead of ${branch}; nothing was committed or merged`,
    );
  }
  await gitOk(path, ['add', '--all']);
  if ((await git(path, ['diff', '--cached', '--quiet'])).code === 0) return;
  // --no-verify: the person's hooks guard their own commits; this one only records the agent's work.
  await gitOk(path, [
    ...(await identityArgs(path)),
    'commit',
    '--quiet',
    '--no-verify',
    ...paragraphs.flatMap((paragraph) => ['-m', paragraph]),
  ]);
}

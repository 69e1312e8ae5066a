const REF_CHARS = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const BRANCH_PREFIX = 'orchestrate/';

// git's rules for ref names (check-ref-format), narrowed to plain characters: a name given in a
// task file can then never be read as an option or a revision expression.
export function isRefName(ref: string): boolean {
  if (!REF_CHARS.test(ref) || ref.length > 200) return false;
  if (ref.includes('..') || ref.includes('//') || ref.endsWith('/') || ref.endsWith('.')) return false;
  return ref.split('/').every((part) => part !== '' && !part.startsWith('.') && !part.endsWith('.lock'));
}

// Every worktree task works on this branch, so its retries find its earlier work.
export function branchFor(id: string): string {
  return `${BRANCH_PREFIX}${id}`;
}

// The task id of one of our branches (`orchestrate/<id>`), else undefined.
export function idOfBranch(branch: string): string | undefined {
  return branch.startsWith(BRANCH_PREFIX) && branch.length > BRANCH_PREFIX.length
    ? branch.slice(BRANCH_PREFIX.length)
    : undefined;
}

// Why a task id cannot name a branch (ids allow "a..b" and "x.lock"; git does not).
export function branchProblem(id: string): string | undefined {
  const branch = branchFor(id);
  return isRefName(branch)
    ? undefined
    : `the task id cannot be a git branch name (${branch}: git refuses "..", a trailing "." and ".lock"); rename the task file`;
}

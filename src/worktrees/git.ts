import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastLine } from '../core/text.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Another git process (a person's, or ours in another repository call) holds a lock file.
const LOCKED = /\.lock'?: File exists|could not lock config file|Unable to create '[^']*\.lock'/;
const LOCK_RETRIES = 40;
// Variables a git hook or a wrapper may have set that would point git at another repository.
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_PREFIX',
];

function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !REPOSITORY_VARIABLES.includes(name)) env[name] = value;
  // Messages we match stay in English; nothing may wait for a person at a prompt.
  return { ...env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
}

// A git command that failed where success was needed; the message is git's own last line.
class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: GitResult,
  ) {
    super(`git ${subcommand(args)} failed: ${lastLine(result.stderr || result.stdout, 300) || `exit ${result.code}`}`);
  }
}

// The git command of an argv, past any `-c name=value` options.
function subcommand(args: readonly string[]): string {
  let index = 0;
  while (args[index] === '-c') index += 2;
  return args[index] ?? '';
}

function runOnce(cwd: string, args: readonly string[]): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error('git is not installed (install git, then try again)') : error),
    );
    child.once('close', (code) =>
      resolve({
        code: code ?? 128,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

// Runs git with an argv (never a shell) in `cwd`, and waits out another process's lock files.
export async function git(cwd: string, args: readonly string[]): Promise<GitResult> {
  for (let attempt = 1; ; attempt++) {
    const result = await runOnce(cwd, args);
    if (result.code === 0 || attempt >= LOCK_RETRIES || !LOCKED.test(result.stderr)) return result;
    await sleep(25 * Math.min(attempt, 8));
  }
}

// git's output where success is required (trailing newline removed); a failure throws GitError.
export async function gitOk(cwd: string, args: readonly string[]): Promise<string> {
  const result = await git(cwd, args);
  if (result.code !== 0) throw new GitError(args, result);
  return result.stdout.replace(/\n$/, '');
}

// A commit needs a name and an email: configured ones win (and GIT_AUTHOR_* / GIT_COMMITTER_*
// over those); on a fresh machine or in CI these stand in, so commits never fail for lack of them.
export async function identityArgs(cwd: string): Promise<string[]> {
  const { stdout } = await git(cwd, ['config', '--get-regexp', '^user\\.(name|email)$']);
  const args: string[] = [];
  if (!/^user\.name /m.test(stdout)) args.push('-c', 'user.name=orchestrate');
  if (!/^user\.email /m.test(stdout)) args.push('-c', 'user.email=orchestrate@localhost');
  return args;
}

const queues = new Map<string, Promise<unknown>>();

// Runs `work` after every earlier one with the same key (one repository): creating worktrees,
// writing its config and merging happen one at a time, so tasks ending together never collide.
export function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  const tail = next.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return next;
}

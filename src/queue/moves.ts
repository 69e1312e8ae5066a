import { existsSync, linkSync, lstatSync, renameSync, unlinkSync, type Stats } from 'node:fs';
import { link, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { STATE_FOLDERS, type StateFolder } from '../core/state-folders.js';
import { syncDir, writeTempFile } from './atomic-write.js';
import type { Layout } from './layout.js';
import { sameSignature, type FileSignature } from './file-signature.js';

// 'changed': the source is no longer the file the new content was made from (see stageUnlessChanged).
export type MoveResult = 'moved' | 'gone' | 'taken' | 'changed';

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

// Moves a task file between state folders with link + unlink, which can never overwrite a task.
// 'gone': the source vanished (someone else moved it); 'taken': the id already exists in the target.
// The folder fsync is not awaited: a claim must not wait for the disk before its agent starts.
export async function moveTask(
  layout: Layout,
  id: string,
  from: StateFolder,
  to: StateFolder,
  targetId = id,
): Promise<MoveResult> {
  const source = layout.taskPath(from, id);
  const target = layout.taskPath(to, targetId);
  try {
    await link(source, target);
  } catch (error) {
    if (code(error) === 'EEXIST') return 'taken';
    if (code(error) === 'ENOENT') return 'gone';
    // Directories cannot be hard-linked: a folder named like a task is moved aside by rename.
    if (code(error) === 'EPERM' || code(error) === 'EISDIR') return renameAside(source, target);
    throw error;
  }
  try {
    await unlink(source);
  } catch (error) {
    if (code(error) !== 'ENOENT') throw error;
    // The source vanished between our link and unlink. If the task is now in another folder too,
    // someone else moved it and won: undo our copy. Otherwise they finished our move for us.
    if (STATE_FOLDERS.some((state) => state !== to && existsSync(layout.taskPath(state, id)))) {
      await unlink(target).catch(() => undefined);
      return 'gone';
    }
  }
  void syncDir(dirname(source));
  void syncDir(dirname(target));
  return 'moved';
}

// The claim: link pending/x -> assigned/x, then unlink pending/x, synchronously. Two metadata
// syscalls cost less than waiting in the thread pool behind other tasks' fsyncs before a spawn.
export function claimTask(layout: Layout, id: string): MoveResult {
  const source = layout.taskPath('pending', id);
  const target = layout.taskPath('assigned', id);
  try {
    linkSync(source, target);
  } catch (error) {
    if (code(error) === 'EEXIST') return 'taken';
    if (code(error) === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    unlinkSync(source);
  } catch (error) {
    if (code(error) !== 'ENOENT') throw error;
    // Someone moved it away between our link and unlink (a cancel): they won.
    unlinkSync(target);
    return 'gone';
  }
  void syncDir(dirname(source));
  void syncDir(dirname(target));
  return 'moved';
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

async function renameAside(source: string, target: string): Promise<MoveResult> {
  if (existsSync(target)) return 'taken';
  try {
    await rename(source, target);
    return 'moved';
  } catch (error) {
    if (code(error) === 'ENOENT') return 'gone';
    throw error;
  }
}

// The new content staged beside `target`, unless `source` is no longer the file read with `expected`
// (a person or a slow writer changed it since): content made from the old bytes would lose theirs.
async function stageUnlessChanged(
  target: string,
  content: string,
  source: string,
  expected: FileSignature | undefined,
): Promise<string | 'changed'> {
  const staged = await writeTempFile(target, content, true);
  let now: Stats | undefined;
  try {
    now = lstatSync(source);
  } catch {
    // Gone: the move itself finds out and says so.
  }
  if (!expected || !now || sameSignature(now, expected)) return staged;
  unlinkQuietly(staged);
  return 'changed';
}

// Writes new content for a task into another state folder and removes the old file, in that order,
// so a crash in between leaves two copies that start-up recovery resolves (the newer has more attempts).
// With `strict`, a source that vanished meanwhile means someone else moved the task: our copy is undone.
// With `expected`, a source that changed since it was read is left alone ('changed'): read it again.
export async function moveTaskWithContent(
  layout: Layout,
  id: string,
  from: StateFolder,
  to: StateFolder,
  content: string,
  options: { strict?: boolean; expected?: FileSignature } = {},
): Promise<MoveResult> {
  const target = layout.taskPath(to, id);
  const staged = await stageUnlessChanged(target, content, layout.taskPath(from, id), options.expected);
  if (staged === 'changed') return staged;
  // The metadata steps are synchronous: each costs less than a hop through the thread pool.
  try {
    linkSync(staged, target);
  } catch (error) {
    unlinkQuietly(staged);
    if (code(error) === 'EEXIST') return 'taken';
    throw error;
  }
  unlinkQuietly(staged);
  try {
    unlinkSync(layout.taskPath(from, id));
  } catch (error) {
    if (code(error) !== 'ENOENT') throw error;
    if (options.strict) {
      unlinkQuietly(target);
      return 'gone';
    }
  }
  void syncDir(layout.folder(from));
  await syncDir(dirname(target));
  return 'moved';
}

// Replaces a task file's content in place (same folder), atomically; with `expected`, only if the
// file is still the one the content was made from.
export async function rewriteTask(
  layout: Layout,
  id: string,
  state: StateFolder,
  content: string,
  expected?: FileSignature,
): Promise<'moved' | 'changed'> {
  const path = layout.taskPath(state, id);
  const staged = await stageUnlessChanged(path, content, path, expected);
  if (staged === 'changed') return staged;
  try {
    renameSync(staged, path);
  } catch (error) {
    unlinkQuietly(staged);
    throw error;
  }
  await syncDir(dirname(path));
  return 'moved';
}

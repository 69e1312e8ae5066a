import {
  closeSync,
  fsync,
  fsyncSync,
  linkSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, dirname, join } from 'node:path';
import { processTable } from '../process/process-table.js';

let counter = 0;
const TEMP_PATTERN = /^\..+\.(\d+)\.\d+\.tmp$/;

// A dot-name ending in .tmp is never read as a task (the Maildir rule), and names its writer's pid.
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
}

const fsyncAsync = promisify(fsync);

// The fsyncs this process has made, of files and of folders: bench/ shows them per task.
export const diskSyncs = { files: 0, folders: 0 };

// Only the fsync goes to the thread pool: opening, writing and closing a small file cost less on
// the event loop than the hops to a pool thread and back (measured: 4 hops per file were ~15 % of
// the daemon's time per task).
async function syncFd(fd: number): Promise<void> {
  try {
    await fsyncAsync(fd);
  } finally {
    closeSync(fd);
  }
}

async function fsyncFolder(dir: string): Promise<void> {
  try {
    diskSyncs.folders++;
    await syncFd(openSync(dir, 'r'));
  } catch {
    // A folder that cannot be fsynced (some network filesystems) still holds the renamed file.
  }
}

// Per folder: the fsync under way, and the one that will cover renames made now (it starts at the
// next turn of the event loop, or once the one under way has ended).
const runningDirSyncs = new Map<string, Promise<void>>();
const nextDirSyncs = new Map<string, Promise<void>>();

// Many renames into one folder share one directory fsync: the batching that keeps durable state
// cheap. A rename made while that folder's fsync runs waits for the next one, which then covers
// every rename made meanwhile (group commit): a burst costs one fsync per fsync's duration, not one
// per turn of the event loop.
export function syncDir(dir: string): Promise<void> {
  const queued = nextDirSyncs.get(dir);
  if (queued) return queued;
  const before = runningDirSyncs.get(dir) ?? new Promise<void>((resolve) => setImmediate(resolve));
  const sync = before.then(() => {
    nextDirSyncs.delete(dir);
    const running = fsyncFolder(dir);
    runningDirSyncs.set(dir, running);
    return running.finally(() => {
      if (runningDirSyncs.get(dir) === running) runningDirSyncs.delete(dir);
    });
  });
  nextDirSyncs.set(dir, sync);
  return sync;
}

export interface WriteOptions {
  // fsync the file and its folder: for state that must survive a power cut, not for logs and caches.
  durable?: boolean;
}

// Writes data to a fresh temp file beside `path` (fsynced when durable) and returns the temp's path.
export async function writeTempFile(path: string, data: string | Uint8Array, durable: boolean): Promise<string> {
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'w', 0o644);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    if (durable) {
      diskSyncs.files++;
      await syncFd(fd);
    } else closeSync(fd);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  return temp;
}

// Writes a file so that no reader ever sees half of it: temp file, fsync, rename, folder fsync.
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  const durable = options.durable ?? true;
  const temp = await writeTempFile(path, data, durable);
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  if (durable) await syncDir(dirname(path));
}

// The synchronous twin of writeTempFile.
function writeTempFileSync(path: string, data: string | Uint8Array, durable: boolean): string {
  const temp = tempPathFor(path);
  try {
    const fd = openSync(temp, 'w', 0o644);
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      if (durable) {
        diskSyncs.files++;
        fsyncSync(fd);
      }
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
  return temp;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never created, or already gone.
  }
}

// The synchronous twin, for short-lived CLI commands where awaiting buys nothing.
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: WriteOptions = {}): void {
  const durable = options.durable ?? true;
  const temp = writeTempFileSync(path, data, durable);
  try {
    renameSync(temp, path);
  } catch (error) {
    unlinkQuietly(temp);
    throw error;
  }
  if (durable) syncDirSync(dirname(path));
}

// Writes a file that must never replace another: the whole file appears at `path` (temp file, fsync,
// hard link), or nothing does and false is returned when a file is there already. `syncFolder: false`
// leaves the folder's fsync to the caller, who syncs it once after many such files.
export function linkFileSync(
  path: string,
  data: string | Uint8Array,
  options: WriteOptions & { syncFolder?: boolean } = {},
): boolean {
  const durable = options.durable ?? true;
  const temp = writeTempFileSync(path, data, durable);
  try {
    linkSync(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkQuietly(temp);
  }
  if (durable && (options.syncFolder ?? true)) syncDirSync(dirname(path));
  return true;
}

// The synchronous twin of syncDir, unbatched: for writers that must know a rename is durable
// before their next step.
export function syncDirSync(dir: string): void {
  diskSyncs.folders++;
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // See syncDir.
  }
}

// Removes temp files whose writer has died: what a crash mid-write leaves behind.
export function sweepTempFiles(dir: string): string[] {
  const swept: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return swept;
  }
  for (const name of names) {
    const match = TEMP_PATTERN.exec(name);
    if (!match || processTable.isProcessAlive(Number(match[1]))) continue;
    const path = join(dir, name);
    try {
      if (statSync(path).isFile()) {
        unlinkSync(path);
        swept.push(path);
      }
    } catch {
      // Already gone.
    }
  }
  return swept;
}

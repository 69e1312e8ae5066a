import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Layout } from '../queue/layout.js';
import { hasExitFile } from '../queue/run-files.js';
import { CliError } from './errors.js';
import { findTask } from './find-task.js';
import { attemptNumbers } from './runs.js';

const FOLLOW_POLL_MS = 200;

function copyFrom(path: string, offset: number, out: NodeJS.WritableStream): number {
  if (!existsSync(path)) return offset;
  const size = statSync(path).size;
  if (size <= offset) return offset;
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    out.write(buffer);
  } finally {
    closeSync(fd);
  }
  return size;
}

// `orchestrate logs`: a run's stdout (and stderr to stderr); with follow, until the run ends.
export async function showLogs(layout: Layout, id: string, options: { follow?: boolean; attempt?: string }): Promise<void> {
  findTask(layout, id);
  let number = options.attempt === undefined ? attemptNumbers(layout, id).at(-1) : Number(options.attempt);
  while (number === undefined && options.follow) {
    await sleep(FOLLOW_POLL_MS);
    number = attemptNumbers(layout, id).at(-1);
  }
  if (number === undefined) throw new CliError(`${id} has not started yet (follow it with \`orchestrate logs -f ${id}\`)`);
  const dir = layout.runDir(id, number);
  if (!existsSync(dir)) throw new CliError(`${id} has no attempt ${number}`);
  let outAt = 0;
  let errAt = 0;
  for (;;) {
    const ended = hasExitFile(dir) || !existsSync(layout.taskPath('assigned', id));
    outAt = copyFrom(join(dir, 'stdout'), outAt, process.stdout);
    errAt = copyFrom(join(dir, 'stderr'), errAt, process.stderr);
    if (!options.follow || ended) return;
    await sleep(FOLLOW_POLL_MS);
  }
}

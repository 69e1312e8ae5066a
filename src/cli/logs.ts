import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Layout } from '../queue/layout.js';
import type { AgentPreset, EventView } from '../agents/preset.js';
import { presetFor } from '../agents/presets.js';
import { viewsOf } from '../agents/progress.js';
import { loadConfig } from '../queue/config-file.js';
import { hasExitFile, readRunRecord } from '../queue/run-files.js';
import { CliError } from './support/errors.js';
import { attemptToShow, nextAttempt, reportFollowedEnd, reportStartFailure } from './support/log-attempt.js';

const FOLLOW_POLL_MS = 200;

// Output is read this much at a time, so a run of gigabytes is shown without holding it in memory.
const CHUNK = 1024 * 1024;

// Writes to a stream, waiting when it asks to (a pipe to a slow reader).
function write(out: NodeJS.WritableStream, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => (out.write(data) ? resolve() : out.once('drain', () => resolve())));
}

// Writes what was added to a file since `offset`, through `render` (which gets whole lines only,
// so a line still being written waits for the next look; `final` takes the last one too). Returns
// the new offset.
async function copyFrom(
  path: string,
  offset: number,
  out: NodeJS.WritableStream,
  render?: (text: string) => string,
  final = false,
): Promise<number> {
  if (!existsSync(path)) return offset;
  const size = statSync(path).size;
  if (size <= offset) return offset;
  const fd = openSync(path, 'r');
  try {
    let at = offset;
    while (at < size) {
      const buffer = Buffer.alloc(Math.min(CHUNK, size - at));
      let chunk = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, at));
      if (chunk.length === 0) break;
      if (render) {
        const end = final && at + chunk.length >= size ? chunk.length - 1 : chunk.lastIndexOf(0x0a);
        // A partial line waits for the next look, unless it alone fills a chunk: then it is shown as it is.
        if (end >= 0) chunk = chunk.subarray(0, end + 1);
        else if (chunk.length < CHUNK) break;
        await write(out, render(chunk.toString('utf8')));
      } else {
        await write(out, chunk);
      }
      at += chunk.length;
    }
    return at;
  } finally {
    closeSync(fd);
  }
}

const MARKS: Partial<Record<EventView['kind'], string>> = { tool: '→ ', retry: '↻ ', result: '✓ ', error: '✗ ' };

// A streaming agent's JSON lines as people read them: messages, → tool calls, ↻ the CLI's own
// retries of a failed model request, ✓ or ✗ at the end.
function readableStream(preset: AgentPreset): (text: string) => string {
  return (text) =>
    text
      .split('\n')
      .flatMap((line) => {
        if (!line.startsWith('{')) return line === '' ? [] : [line];
        return viewsOf(preset, line)
          .filter((view) => view.text !== '')
          .map((view) => `${MARKS[view.kind] ?? ''}${view.text}`);
      })
      .map((line) => `${line}\n`)
      .join('');
}

function presetOfRun(layout: Layout, runDir: string): AgentPreset | undefined {
  const agent = readRunRecord(runDir)?.agent;
  const loaded = loadConfig(layout);
  const config = loaded.ok && agent ? loaded.config.agents[agent] : undefined;
  return config ? presetFor(config) : undefined;
}

// `orchestrate logs`: a run's stdout (and stderr to stderr); with follow, until the task ends: a run
// that fails and is retried is followed into its next attempt.
export async function showLogs(
  layout: Layout,
  id: string,
  options: { follow?: boolean; attempt?: string; raw?: boolean },
): Promise<void> {
  let number = await attemptToShow(layout, id, options);
  while (number !== undefined) {
    const startedAt = readRunRecord(layout.runDir(id, number))?.started_at;
    await copyRun(layout, id, number, startedAt, options);
    const next =
      options.follow && options.attempt === undefined ? await nextAttempt(layout, id, number, startedAt) : undefined;
    if (next === undefined) {
      await reportStartFailure(layout, id, number);
      return options.follow && options.attempt === undefined ? reportFollowedEnd(layout, id) : undefined;
    }
    number = next;
  }
}

// Copies one run's output; with follow, until that run has ended, or was begun anew under the same
// number (then the caller shows the new one from its start).
async function copyRun(
  layout: Layout,
  id: string,
  number: number,
  startedAt: string | undefined,
  options: { follow?: boolean; raw?: boolean },
): Promise<void> {
  const dir = layout.runDir(id, number);
  if (!existsSync(dir)) throw new CliError(`${id} has no attempt ${number}`);
  const preset = options.raw ? undefined : presetOfRun(layout, dir);
  const render = preset?.view ? readableStream(preset) : undefined;
  let outAt = 0;
  let errAt = 0;
  for (;;) {
    if (options.follow && readRunRecord(dir)?.started_at !== startedAt) return;
    const ended = hasExitFile(dir) || !existsSync(layout.taskPath('assigned', id));
    outAt = await copyFrom(join(dir, 'stdout'), outAt, process.stdout, render, ended || !options.follow);
    errAt = await copyFrom(join(dir, 'stderr'), errAt, process.stderr);
    if (!options.follow || ended) return;
    await sleep(FOLLOW_POLL_MS);
  }
}

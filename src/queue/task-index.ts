import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync, type Stats } from 'node:fs';
import { taskIdOf } from '../core/ids.js';
import type { StateFolder } from '../core/state-folders.js';
import { writeFileAtomic } from './atomic-write.js';
import type { Layout } from './layout.js';
import type { FileSignature, parseTaskText, TaskFileRead } from './task-file.js';
import { summarizeTask, type TaskSummary } from './task-summary.js';

// Line format: a first line naming the version, then one task per line,
// `state/id TAB size TAB mtimeMs TAB ino TAB created_at TAB summary-as-JSON`.
const INDEX_HEADER = 'orchestrate-index 2';
const TAB = 9;
const NEWLINE = 10;
const NEWLINE_BYTE = Buffer.from('\n');

// One task as a listing needs it: its summary kept as JSON bytes, parsed only when someone asks
// (a warm `tasks --json` of 10,000 tasks copies them out without decoding or re-serialising).
export interface IndexedTask {
  id: string;
  state: StateFolder;
  createdAt: string;
  json: Buffer;
}

interface IndexEntry extends FileSignature {
  task: IndexedTask;
}

const scratch = Buffer.alloc(64 * 1024);

// Reads a file whose size lstat just gave: open, read, close (readFileSync would fstat it again,
// one syscall more per file, ~10 % of a cold listing of 10,000 files).
function readKnownSize(path: string, size: number): Buffer | undefined {
  try {
    if (size >= scratch.length) return readFileSync(path);
    const fd = openSync(path, 'r');
    try {
      const length = readSync(fd, scratch, 0, scratch.length, 0);
      return length === size ? scratch.subarray(0, length) : readFileSync(path);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

type TaskTextParser = typeof parseTaskText;

// The YAML parser and schemas load only when something must be parsed: a warm listing skips them.
async function loadParser(): Promise<TaskTextParser> {
  return (await import('./task-file.js')).parseTaskText;
}

function indexedTask(summary: TaskSummary): IndexedTask {
  return {
    id: summary.id,
    state: summary.state,
    createdAt: summary.created_at ?? '',
    json: Buffer.from(JSON.stringify(summary)),
  };
}

// Parses the saved lines; tabs and newlines never occur inside JSON text, so splitting is enough.
// Each summary stays a slice of the file's bytes.
function parseIndex(bytes: Buffer): Map<string, IndexEntry> {
  const entries = new Map<string, IndexEntry>();
  let start = bytes.indexOf(NEWLINE);
  if (start < 0 || bytes.toString('utf8', 0, start) !== INDEX_HEADER) return entries;
  start++;
  const fields: string[] = [];
  while (start < bytes.length) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end < 0) break;
    fields.length = 0;
    let from = start;
    while (fields.length < 5) {
      const tab = bytes.indexOf(TAB, from);
      if (tab < 0 || tab > end) break;
      fields.push(bytes.toString('utf8', from, tab));
      from = tab + 1;
    }
    if (fields.length === 5) {
      const [key, size, mtimeMs, ino, createdAt] = fields as [string, string, string, string, string];
      const slash = key.indexOf('/');
      const task = {
        id: key.slice(slash + 1),
        state: key.slice(0, slash) as StateFolder,
        createdAt,
        json: bytes.subarray(from, end),
      };
      entries.set(key, { size: Number(size), mtimeMs: Number(mtimeMs), ino: Number(ino), task });
    }
    start = end + 1;
  }
  return entries;
}

// A cache of task summaries keyed by file signature. Never authoritative: every entry is checked
// against the file's size, mtime and inode, so listing 10,000 tasks parses only what changed. The
// summaries stay JSON text, so a warm `tasks --json` neither parses nor re-serialises them.
export class TaskIndex {
  private entries = new Map<string, IndexEntry>();
  private changed = false;

  private constructor(private readonly layout: Layout) {}

  // Loads the cache; a missing, unreadable or older one is simply empty.
  static load(layout: Layout): TaskIndex {
    const index = new TaskIndex(layout);
    try {
      index.entries = parseIndex(readFileSync(layout.indexPath));
    } catch {
      // No cache yet.
    }
    return index;
  }

  // Every task file in one state folder, parsing only files the cache does not know. With
  // `trustCached`, a file the cache knows is not even lstat'ed: for questions about fields that never
  // change once a task is submitted (its parent), where 10,000 lstats would be the whole cost.
  async list(state: StateFolder, trustCached = false): Promise<IndexedTask[]> {
    const dir = this.layout.folder(state);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const tasks: IndexedTask[] = [];
    const seen = new Set<string>();
    const unknown: { id: string; path: string; stats: Stats }[] = [];
    for (const name of names) {
      const id = taskIdOf(name);
      if (id === undefined) continue;
      const key = `${state}/${id}`;
      const known = trustCached ? this.entries.get(key) : undefined;
      if (known) {
        seen.add(key);
        tasks.push(known.task);
        continue;
      }
      const path = `${dir}/${name}`;
      const stats = lstatSync(path, { throwIfNoEntry: false });
      if (!stats) continue;
      seen.add(key);
      const cached = this.cached(state, id, stats);
      if (cached) tasks.push(cached);
      else unknown.push({ id, path, stats });
    }
    if (unknown.length > 0) {
      const parse = await loadParser();
      for (const { id, path, stats } of unknown) {
        const task = this.parse(parse, state, id, path, stats);
        if (task) tasks.push(task);
      }
    }
    this.forgetGone(state, seen);
    return tasks;
  }

  // Drops the entries of a folder just listed whose file is no longer there.
  private forgetGone(state: StateFolder, seen: Set<string>): void {
    const prefix = `${state}/`;
    for (const key of this.entries.keys()) {
      if (key.startsWith(prefix) && !seen.has(key)) {
        this.entries.delete(key);
        this.changed = true;
      }
    }
  }

  // One task's summary (undefined when its file is gone), from the cache when the file is unchanged.
  async summary(state: StateFolder, id: string): Promise<TaskSummary | undefined> {
    const path = this.layout.taskPath(state, id);
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (!stats) return undefined;
    const task = this.cached(state, id, stats) ?? this.parse(await loadParser(), state, id, path, stats);
    return task && (JSON.parse(task.json.toString()) as TaskSummary);
  }

  private cached(state: StateFolder, id: string, stats: Stats): IndexedTask | undefined {
    const cached = this.entries.get(`${state}/${id}`);
    return cached && cached.size === stats.size && cached.mtimeMs === stats.mtimeMs && cached.ino === stats.ino
      ? cached.task
      : undefined;
  }

  // Reads and summarises one file, remembering it; undefined when the file moved on while we
  // looked (the next listing finds it where it went).
  private parse(
    parseTaskText: TaskTextParser,
    state: StateFolder,
    id: string,
    path: string,
    stats: Stats,
  ): IndexedTask | undefined {
    const signature = { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
    let read: TaskFileRead | undefined;
    if (stats.isFile() && signature.size <= 1024 * 1024) {
      const bytes = readKnownSize(path, signature.size);
      if (bytes === undefined) return undefined;
      read = parseTaskText(bytes, id, signature);
    }
    const problem = read?.kind === 'invalid' ? read.problems[0]?.message : 'not a readable task file';
    const summary =
      read?.kind === 'task'
        ? summarizeTask(id, state, read.task.fields)
        : { id, state, description: `(invalid: ${problem})`, attempts: 0, invalid: true };
    const task = indexedTask(summary);
    this.entries.set(`${state}/${id}`, { ...signature, task });
    this.changed = true;
    return task;
  }

  // Records what the daemon itself just wrote, so the next listing need not parse it.
  remember(state: StateFolder, id: string, signature: FileSignature, summary: TaskSummary): void {
    this.entries.set(`${state}/${id}`, { ...signature, task: indexedTask(summary) });
    this.changed = true;
  }

  // Writes the cache back when something changed.
  async save(): Promise<void> {
    if (!this.changed) return;
    this.changed = false;
    const parts: Uint8Array[] = [Buffer.from(`${INDEX_HEADER}\n`)];
    for (const [key, entry] of this.entries)
      parts.push(
        Buffer.from(`${key}\t${entry.size}\t${entry.mtimeMs}\t${entry.ino}\t${entry.task.createdAt}\t`),
        entry.task.json,
        NEWLINE_BYTE,
      );
    await writeFileAtomic(this.layout.indexPath, Buffer.concat(parts), { durable: false });
  }
}

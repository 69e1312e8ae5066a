import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { taskIdOf } from '../core/ids.js';
import type { StateFolder } from '../core/transitions.js';
import { writeFileAtomic } from './atomic-write.js';
import type { Layout } from './layout.js';
import type { FileSignature, TaskFileRead } from './task-file.js';
import { summarizeTask, type TaskSummary } from './task-summary.js';

const INDEX_VERSION = 1;

interface IndexEntry extends FileSignature {
  summary: TaskSummary;
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

// A cache of parsed task summaries keyed by file signature. Never authoritative: every entry is
// checked against the file's size, mtime and inode, so listing 10,000 tasks parses only what changed.
export class TaskIndex {
  private entries = new Map<string, IndexEntry>();
  private changed = false;

  private constructor(private readonly layout: Layout) {}

  // Loads the cache; a missing or unreadable one is simply empty.
  static load(layout: Layout): TaskIndex {
    const index = new TaskIndex(layout);
    try {
      const data = JSON.parse(readFileSync(layout.indexPath, 'utf8')) as { version: number; entries: [string, IndexEntry][] };
      if (data.version === INDEX_VERSION) index.entries = new Map(data.entries);
    } catch {
      // No cache yet.
    }
    return index;
  }

  // The summaries of every task file in one state folder, parsing only files the cache does not know.
  async list(state: StateFolder): Promise<TaskSummary[]> {
    const dir = this.layout.folder(state);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const summaries: TaskSummary[] = [];
    for (const name of names) {
      const id = taskIdOf(name);
      if (id === undefined) continue;
      const summary = await this.summaryOf(state, id, `${dir}/${name}`);
      if (summary) summaries.push(summary);
    }
    return summaries;
  }

  // One task's summary (undefined when its file is gone), from the cache when the file is unchanged.
  summary(state: StateFolder, id: string): Promise<TaskSummary | undefined> {
    return this.summaryOf(state, id, this.layout.taskPath(state, id));
  }

  private async summaryOf(state: StateFolder, id: string, path: string): Promise<TaskSummary | undefined> {
    let stats;
    try {
      stats = lstatSync(path);
    } catch {
      return undefined;
    }
    const key = `${state}/${id}`;
    const cached = this.entries.get(key);
    if (cached && cached.size === stats.size && cached.mtimeMs === stats.mtimeMs && cached.ino === stats.ino) return cached.summary;
    const signature = { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
    const summary = await this.parse(state, id, path, signature, stats.isFile());
    if (summary === undefined) return undefined;
    this.entries.set(key, { ...signature, summary });
    this.changed = true;
    return summary;
  }

  // undefined when the file moved on while we looked (the next listing finds it where it went).
  private async parse(state: StateFolder, id: string, path: string, signature: FileSignature, isFile: boolean): Promise<TaskSummary | undefined> {
    let read: TaskFileRead | undefined;
    if (isFile && signature.size <= 1024 * 1024) {
      // The YAML parser and schemas load only when something must be parsed: a warm listing skips them.
      const { parseTaskText } = await import('./task-file.js');
      const bytes = readKnownSize(path, signature.size);
      if (bytes === undefined) return undefined;
      read = parseTaskText(bytes, id, signature);
    }
    if (read?.kind === 'task') return summarizeTask(id, state, read.task.fields);
    const problem = read?.kind === 'invalid' ? read.problems[0]?.message : 'not a readable task file';
    return { id, state, description: `(invalid: ${problem})`, attempts: 0, invalid: true };
  }

  // Records what the daemon itself just wrote, so the next listing need not parse it.
  remember(state: StateFolder, id: string, signature: FileSignature, summary: TaskSummary): void {
    this.entries.set(`${state}/${id}`, { ...signature, summary });
    this.changed = true;
  }

  // Drops entries whose file is gone; called with the ids present per state after a full listing.
  prune(present: Map<StateFolder, Set<string>>): void {
    for (const key of this.entries.keys()) {
      const [state, id] = key.split('/') as [StateFolder, string];
      if (!present.get(state)?.has(id)) {
        this.entries.delete(key);
        this.changed = true;
      }
    }
  }

  // Writes the cache back when something changed.
  async save(): Promise<void> {
    if (!this.changed) return;
    this.changed = false;
    const data = { version: INDEX_VERSION, entries: [...this.entries] };
    await writeFileAtomic(this.layout.indexPath, JSON.stringify(data), { durable: false });
  }
}

import { lstatSync, readFileSync, type Stats } from 'node:fs';
import { isMap, parseDocument } from 'yaml';
import { parsePlainYaml } from '../core/plain-yaml.js';
import type { Problem } from '../core/problems.js';
import { validateTask, type Task } from '../core/task-schema.js';

// Task files are short; a huge one is a mistake (a log pasted in), refused before it is read.
export const MAX_TASK_FILE_BYTES = 1024 * 1024;

export interface FileSignature {
  size: number;
  mtimeMs: number;
  ino: number;
}

export type TaskFileRead =
  | { kind: 'task'; task: Task; text: string; signature: FileSignature }
  // `unread`: refused before reading (a symlink, a folder, too big): waiting will not fix it.
  | { kind: 'invalid'; problems: Problem[]; signature: FileSignature | undefined; unread?: true }
  | { kind: 'missing' };

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Reads, parses and validates one task file; every way it can be wrong becomes a problem, never a throw.
// Synchronous: task files are small (over 1 MB is refused unread), and the daemon's loop must not
// wait in the thread pool behind other tasks' fsyncs to read one.
// `known` is the file's lstat when the caller has just taken it.
export function readTaskFile(path: string, id: string, known?: Stats): TaskFileRead {
  let stats = known;
  try {
    stats ??= lstatSync(path);
  } catch {
    return { kind: 'missing' };
  }
  const signature = { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino };
  const refuse = (message: string): TaskFileRead => ({ kind: 'invalid', problems: [{ path: '', message }], signature, unread: true });
  if (stats.isSymbolicLink()) return refuse('is a symlink; task files must be regular files (copy the file itself into the folder)');
  if (stats.isDirectory()) return refuse('is a directory, not a task file (remove it or rename it without .yaml)');
  if (!stats.isFile()) return refuse('is not a regular file (task files must be plain YAML files)');
  if (stats.size > MAX_TASK_FILE_BYTES) {
    const mb = (stats.size / 1024 / 1024).toFixed(1);
    return refuse(`is ${mb} MB; task files are limited to 1 MB (put long material in a file and list it in context_files)`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return { kind: 'missing' };
  }
  return parseTaskText(bytes, id, signature);
}

// The text of a task or plan file, or the problem that it is not UTF-8.
export function decodeText(bytes: Uint8Array): { text: string } | { problem: Problem } {
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return { problem: { path: '', message: 'is not UTF-8 text (save it as UTF-8)' } };
  }
}

// Parses the bytes of a task file (shared by the daemon and `orchestrate add --file`).
export function parseTaskText(bytes: Uint8Array, id: string, signature: FileSignature): TaskFileRead {
  const decoded = decodeText(bytes);
  if ('problem' in decoded) return { kind: 'invalid', problems: [decoded.problem], signature };
  const { text } = decoded;
  const parsed = parseYaml(text);
  if ('problem' in parsed) return { kind: 'invalid', problems: [parsed.problem], signature };
  const validation = validateTask(id, parsed.data);
  if (!validation.ok) return { kind: 'invalid', problems: validation.problems, signature };
  return { kind: 'task', task: validation.task, text, signature };
}

// YAML text to data, with the first syntax error as a problem naming its line.
export function parseYaml(text: string): { data: unknown } | { problem: Problem } {
  if (text.trim() === '') return { problem: { path: '', message: 'the file is empty (write at least `description: ...`)' } };
  const plain = parsePlainYaml(text);
  if (plain) return { data: plain.data };
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = document.errors[0];
  if (error) {
    // Errors found at the end of input (an unclosed bracket) point past the last line: name the last one.
    const lastLine = text.trimEnd().split('\n').length;
    const line = error.linePos ? Math.min(error.linePos[0].line, lastLine) : undefined;
    const detail = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { problem: { path: line ? `line ${line}` : '', message: `invalid YAML: ${detail} (fix the syntax)` } };
  }
  if (document.contents !== null && !isMap(document.contents)) {
    return { problem: { path: '', message: 'must be a YAML mapping of fields (start with `description: ...`)' } };
  }
  return { data: document.toJS() };
}

import { lstatSync, readFileSync, type Stats } from 'node:fs';
import type * as Yaml from 'yaml';
import { parsePlainYaml } from '../core/plain-yaml.js';
import type { Problem } from '../core/problems.js';
import type { FileSignature } from './file-signature.js';
import { nestingProblem } from '../core/yaml-depth.js';
import { validateTask, type Task } from '../core/task-schema.js';

// The YAML library, loaded the first time a text needs it: core/plain-yaml reads nearly every task
// and config file, and loading the library costs each CLI run ~7 ms. A require keeps reading
// synchronous; esbuild bundles the library either way.
function yamlLibrary(): typeof Yaml {
  return require('yaml') as typeof Yaml;
}

// Task files are short; a huge one is a mistake (a log pasted in), refused before it is read.
const MAX_TASK_FILE_BYTES = 1024 * 1024;

export { sameSignature, type FileSignature } from './file-signature.js';

export type TaskFileRead =
  | { kind: 'task'; task: Task; text: string; signature: FileSignature }
  // `unread`: refused before reading (a symlink, a folder, too big): waiting will not fix it.
  | { kind: 'invalid'; problems: Problem[]; signature: FileSignature | undefined; unread?: true }
  | { kind: 'missing' };

// ignoreBOM keeps a byte-order mark in the text, so the person's part is written back byte for byte.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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
  const refuse = (message: string): TaskFileRead => ({
    kind: 'invalid',
    problems: [{ path: '', message }],
    signature,
    unread: true,
  });
  if (stats.isSymbolicLink())
    return refuse('is a symlink; task files must be regular files (copy the file itself into the folder)');
  if (stats.isDirectory()) return refuse('is a directory, not a task file (remove it or rename it without .yaml)');
  if (!stats.isFile()) return refuse('is not a regular file (task files must be plain YAML files)');
  if (stats.size > MAX_TASK_FILE_BYTES) {
    const mb = (stats.size / 1024 / 1024).toFixed(1);
    return refuse(
      `is ${mb} MB; task files are limited to 1 MB (put long material in a file and list it in context_files)`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    return refuse(`cannot be read (${code ?? (error as Error).message}; check its permissions)`);
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

// Parses the bytes of a task file (shared by the daemon and `orchestrate add --file`). Total: whatever
// the bytes are (an alias bomb, nesting deep enough to exhaust the stack), the answer is a verdict.
export function parseTaskText(bytes: Uint8Array, id: string, signature: FileSignature): TaskFileRead {
  try {
    return parseTaskBytes(bytes, id, signature);
  } catch (error) {
    return { kind: 'invalid', problems: [unreadable(error)], signature };
  }
}

// What a parser that gave up says, as a problem with the fix.
function unreadable(error: unknown): Problem {
  const detail = (error as Error).message.split('\n')[0];
  return {
    path: '',
    message: `cannot be read as YAML: ${detail} (write plain fields without anchors, aliases or deep nesting)`,
  };
}

function parseTaskBytes(bytes: Uint8Array, id: string, signature: FileSignature): TaskFileRead {
  const decoded = decodeText(bytes);
  if ('problem' in decoded) return { kind: 'invalid', problems: [decoded.problem], signature };
  const { text } = decoded;
  const parsed = parseYaml(text);
  if ('problem' in parsed) return { kind: 'invalid', problems: [parsed.problem], signature };
  const validation = validateTask(id, parsed.data);
  if (!validation.ok) return { kind: 'invalid', problems: validation.problems, signature };
  return { kind: 'task', task: validation.task, text, signature };
}

// YAML text to data, with the first syntax error as a problem naming its line. Never throws.
export function parseYaml(text: string): { data: unknown } | { problem: Problem } {
  try {
    return parseYamlText(text);
  } catch (error) {
    return { problem: unreadable(error) };
  }
}

function parseYamlText(text: string): { data: unknown } | { problem: Problem } {
  if (text.trim() === '')
    return { problem: { path: '', message: 'the file is empty (write at least `description: ...`)' } };
  const tooDeep = nestingProblem(text);
  if (tooDeep) return { problem: tooDeep };
  const plain = parsePlainYaml(text);
  if (plain) return { data: plain.data };
  const { isMap, parseDocument } = yamlLibrary();
  // The library's own unique-keys check costs O(n²) per mapping (37 s for 60,000 keys): ours is linear.
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: false });
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
  const duplicate = duplicateKey(document.contents, text);
  if (duplicate) return { problem: duplicate };
  return { data: document.toJS() };
}

// A key that appears twice in one mapping, anywhere in the document (walked without recursion or
// spreading, so a list of 200,000 items costs no stack).
function duplicateKey(root: unknown, text: string): Problem | undefined {
  const { isMap, isScalar, isSeq } = yamlLibrary();
  const nodes = [root];
  while (nodes.length > 0) {
    const node = nodes.pop();
    if (isSeq(node)) for (const item of node.items) nodes.push(item);
    if (!isMap(node)) continue;
    const seen = new Set<unknown>();
    for (const item of node.items) {
      const key = isScalar(item.key) ? item.key.value : item.key;
      if (seen.has(key)) {
        const offset = isScalar(item.key) ? (item.key.range?.[0] ?? 0) : 0;
        return {
          path: `line ${text.slice(0, offset).split('\n').length}`,
          message: `duplicate key "${String(key)}" (keep one of the two)`,
        };
      }
      seen.add(key);
      nodes.push(item.value);
    }
  }
  return undefined;
}

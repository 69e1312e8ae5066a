import { type Document, isMap, isScalar, parseDocument } from 'yaml';
import { parsePlainYaml } from '../core/plain-yaml.js';
import { renderTaskText } from '../core/task-text.js';
import type { Attempt, TaskResult } from '../core/task-schema.js';

// The fields the daemon writes, always kept below the person's part in this order.
const DAEMON_KEYS = ['created_at', 'attempts', 'attempts_base', 'retry_after', 'result'] as const;
type DaemonKey = (typeof DAEMON_KEYS)[number];

export interface DaemonFields {
  created_at?: string;
  attempts?: Attempt[];
  attempts_base?: number | undefined;
  retry_after?: string | undefined;
  result?: TaskResult | undefined;
}

const isDaemonKey = (key: unknown): key is DaemonKey => DAEMON_KEYS.includes(key as DaemonKey);

// Rewrites a task's daemon part. The person's part is kept byte for byte (comments, spacing, order),
// so `git diff tasks/` shows only what the daemon added.
export function renderTask(text: string, update: DaemonFields): string {
  return renderPlainTask(text, update) ?? renderWithYamlLibrary(text, update);
}

// The fast path for plain task files (see core/plain-yaml): same output, a tenth of the cost.
function renderPlainTask(text: string, update: DaemonFields): string | undefined {
  const plain = parsePlainYaml(text);
  if (!plain) return undefined;
  const keys = plain.keyLines;
  let tailStart = keys.length;
  while (tailStart > 0 && isDaemonKey(keys[tailStart - 1]!.key)) tailStart--;
  const personKeys = keys.slice(0, tailStart).map((entry) => entry.key);
  if (personKeys.some((key) => isDaemonKey(key) && key !== 'created_at')) return undefined;
  const cut = tailStart < keys.length ? offsetOfLine(text, keys[tailStart]!.line) : text.length;
  const daemon = daemonPart(plain.data, update, personKeys.includes('created_at'));
  return joinParts(text.slice(0, cut), Object.keys(daemon).length > 0 ? renderTaskText(daemon) : '', text.slice(cut));
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let i = 0; i < line; i++) offset = text.indexOf('\n', offset) + 1;
  return offset;
}

function daemonPart(
  current: Record<string, unknown>,
  update: DaemonFields,
  personCreatedAt: boolean,
): Record<string, unknown> {
  const daemon: Record<string, unknown> = {};
  for (const key of DAEMON_KEYS) {
    if (key === 'created_at' && personCreatedAt) continue;
    const value =
      key in update && !(key === 'created_at' && current.created_at !== undefined) ? update[key] : current[key];
    if (value !== undefined && value !== null) daemon[key] = prune(value);
  }
  return daemon;
}

// The person's part, then the daemon's, then the comments a person wrote among or below the
// daemon's fields (`echo "# note" >> x.yaml`), kept at the end.
function joinParts(person: string, body: string, oldTail = ''): string {
  return `${person}${person === '' || person.endsWith('\n') ? '' : '\n'}${body}${personComments(oldTail)
    .map((line) => `${line}\n`)
    .join('')}`;
}

// The whole-line comments among the daemon's fields: the daemon writes none, so each is a person's,
// except lines inside a block scalar (a multi-line summary), which are text and skipped. A comment
// at the end of a field's line goes with that field.
function personComments(tail: string): string[] {
  const comments: string[] = [];
  let blockIndent: number | undefined;
  for (const line of tail.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (blockIndent !== undefined && (line.trim() === '' || indent > blockIndent)) continue;
    blockIndent = /^\s*(?:- )?[^\s#][^:]*:\s*[|>][0-9+-]*\s*$/.test(line) ? indent : undefined;
    if (line.trimStart().startsWith('#')) comments.push(line);
  }
  return comments;
}

function renderWithYamlLibrary(text: string, update: DaemonFields): string {
  const document = parseDocument(text);
  const current = (document.toJS() ?? {}) as Record<string, unknown>;
  const items = isMap(document.contents) ? document.contents.items : [];
  let tailStart = items.length;
  while (tailStart > 0 && isDaemonKey(keyOf(items[tailStart - 1]!.key))) tailStart--;
  const tail = items.slice(tailStart);
  const personHasDaemonKey = items
    .slice(0, tailStart)
    .some((item) => isDaemonKey(keyOf(item.key)) && keyOf(item.key) !== 'created_at');
  if (personHasDaemonKey) return rebuild(document, current, update);
  const cut = tail.length > 0 ? lineStart(text, rangeStart(tail[0]!.key) ?? text.length) : text.length;
  const person = text.slice(0, cut);
  const personCreatedAt = items.slice(0, tailStart).some((item) => keyOf(item.key) === 'created_at');
  const daemon = daemonPart(current, update, personCreatedAt);
  return joinParts(person, Object.keys(daemon).length > 0 ? renderTaskText(daemon) : '', text.slice(cut));
}

// When a person put daemon fields among their own: those leave the person's part (which the yaml
// library prints again, a created_at where it was), and the daemon's part goes below it as always.
function rebuild(document: Document, current: Record<string, unknown>, update: DaemonFields): string {
  const personCreatedAt = document.has('created_at');
  for (const key of DAEMON_KEYS) if (key !== 'created_at') document.delete(key);
  const daemon = daemonPart(current, update, personCreatedAt);
  return joinParts(document.toString({ lineWidth: 0, minContentWidth: 0 }), renderTaskText(daemon));
}

function keyOf(node: unknown): unknown {
  return isScalar(node) ? node.value : node;
}

function rangeStart(node: unknown): number | undefined {
  return (node as { range?: [number, number, number] } | null)?.range?.[0];
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

// Drops undefined values so the file never shows `key: null` for something that did not happen.
function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, prune(v)]),
    );
  }
  return value;
}

import { readsAsPlainString } from './plain-yaml-line.js';

// The one writer of task-file YAML (`add`, plans, the daemon's fields), block style, no yaml library
// so `add` stays fast. A string is written plain only when the fast reader (and so the yaml
// library) reads it back as this very string; several lines as a `|` block when every line is
// plain text; anything else double-quoted, with JSON-style escapes both readers decode.

// YAML 1.1 reads these as booleans, and so do tools that still follow it: quoted too.
const YAML_1_1_BOOLEAN = /^(?:y|n|yes|no|on|off)$/i;
// Not written as is: controls, DEL, C1 (U+0085 is a line break to YAML 1.1), U+2028/2029, the BOM,
// U+FFFE/FFFF, lone surrogates (UTF-8 cannot hold them).
const UNSAFE =
  '[^\\x20-\\x7e\\xa0-\\u2027\\u202a-\\ud7ff\\ue000-\\ufefe\\uff00-\\ufffd\\ud800-\\udfff]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const UNSAFE_CHAR = new RegExp(UNSAFE);
const ESCAPED = new RegExp(`["\\\\]|${UNSAFE}`, 'g');
const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

// Renders task fields as the text of a task file (or of the daemon's part of one).
export function renderTaskText(fields: Record<string, unknown>): string {
  return renderMapping(fields, '');
}

// One string as a YAML scalar on a single line: plain when that reads back as itself, else quoted.
function renderString(text: string): string {
  return readsAsPlainString(text) && !YAML_1_1_BOOLEAN.test(text) && !UNSAFE_CHAR.test(text) ? text : quoted(text);
}

function quoted(text: string): string {
  return `"${text.replace(ESCAPED, (char) => SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

function renderMapping(map: Record<string, unknown>, indent: string): string {
  let out = '';
  for (const [key, value] of Object.entries(map)) {
    out += `${indent}${PLAIN_KEY.test(key) && readsAsPlainString(key) ? key : quoted(key)}:${renderValue(value, indent, true)}`;
  }
  return out;
}

function renderValue(value: unknown, indent: string, blockAllowed: boolean): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return ' []\n';
    const inner = `${indent}  `;
    let out = '\n';
    for (const item of value) {
      if (isPlainObject(item) && Object.keys(item).length > 0)
        out += `${inner}- ${renderMapping(item, `${inner}  `).slice(inner.length + 2)}`;
      else out += `${inner}-${renderValue(item, inner, false)}`;
    }
    return out;
  }
  if (isPlainObject(value))
    return Object.keys(value).length === 0 ? ' {}\n' : `\n${renderMapping(value, `${indent}  `)}`;
  const lines = blockAllowed && typeof value === 'string' ? literalLines(value) : undefined;
  if (lines)
    return ` |${(value as string).endsWith('\n') ? '' : '-'}\n${lines.map((line) => (line === '' ? '\n' : `${indent}  ${line}\n`)).join('')}`;
  return ` ${renderScalar(value)}\n`;
}

// The lines of a text that a `|` or `|-` block holds exactly, or undefined: the first line starts
// the block's indentation (so no leading space), no line ends in whitespace or is only whitespace,
// no tab (the fast reader declines them), and at most one final line break (`|+` is not needed).
function literalLines(text: string): string[] | undefined {
  if (!text.includes('\n')) return undefined;
  const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  const [first] = lines;
  if (first === undefined || first === '' || /^\s/.test(first) || lines[lines.length - 1] === '') return undefined;
  const plainLine = (line: string) =>
    line === '' || (!/\s$/.test(line) && !line.includes('\t') && !line.includes('\r') && !UNSAFE_CHAR.test(line));
  return lines.every(plainLine) ? lines : undefined;
}

function renderScalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number')
    return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  return renderString(String(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

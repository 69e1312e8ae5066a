// A fast reader and writer for the plain block YAML that almost every task file is: mappings and
// sequences by indentation, scalars on one line. Parsing 10,000 task files with the full YAML
// library costs ~3 s; this subset costs a tenth of that. Anything outside the subset (nested flow collections, some
// block scalars, anchors, tags, comments after a value, escapes JSON lacks) returns `undefined`, and the caller uses
// the full parser: this is a shortcut, never a second opinion.

import { isNewKey, NOT_PRINTABLE, parseScalar } from './plain-yaml-line.js';

export interface PlainYaml {
  data: Record<string, unknown>;
  // The line (0-based) where each top-level key starts, in order.
  keyLines: { key: string; line: number }[];
}

interface Line {
  indent: number;
  text: string;
  index: number;
}

type Parsed = { value: unknown; next: number } | undefined;

const KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$/;
// Parses `text` when it is a top-level mapping in the plain subset; otherwise returns undefined.
export function parsePlainYaml(text: string): PlainYaml | undefined {
  if (text.includes('\t') || text.includes('\r') || text.includes('\ufeff')) return undefined;
  const lines: Line[] = [];
  const raw = text.split('\n');
  for (let index = 0; index < raw.length; index++) {
    const line = raw[index]!;
    // Only spaces are trimmed: JavaScript's trim() also eats characters that YAML keeps.
    let start = 0;
    while (line.charCodeAt(start) === 32) start++;
    if (start === line.length || line.charCodeAt(start) === 35) continue;
    let end = line.length;
    while (line.charCodeAt(end - 1) === 32) end--;
    lines.push({ indent: start, text: line.slice(start, end), index });
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  const keyLines: PlainYaml['keyLines'] = [];
  const parsed = parseMapping(raw, lines, 0, 0, keyLines);
  if (!parsed || parsed.next !== lines.length) return undefined;
  return { data: parsed.value as Record<string, unknown>, keyLines };
}

function parseMapping(
  raw: string[],
  lines: Line[],
  start: number,
  indent: number,
  keyLines?: PlainYaml['keyLines'],
): Parsed {
  const map: Record<string, unknown> = {};
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent) {
    const line = lines[i]!;
    const match = KEY.exec(line.text);
    if (!match || !isNewKey(map, match[1]!)) return undefined;
    const key = match[1]!;
    keyLines?.push({ key, line: line.index });
    const inline = match[2];
    if (inline !== undefined && BLOCK_HEADERS.has(inline)) {
      const block = readBlockScalar(raw, line.index, indent, inline);
      if (!block) return undefined;
      map[key] = block.value;
      i++;
      while (i < lines.length && lines[i]!.index <= block.lastLine) i++;
      continue;
    }
    if (inline !== undefined && inline !== '') {
      const scalar = parseScalar(inline);
      if (scalar === undefined) return undefined;
      map[key] = scalar.value;
      i++;
      continue;
    }
    const child = lines[i + 1];
    if (child && (child.indent > indent || (child.indent === indent && child.text.startsWith('- ')))) {
      const nested =
        child.text.startsWith('- ') || child.text === '-'
          ? parseSequence(raw, lines, i + 1, child.indent)
          : parseMapping(raw, lines, i + 1, child.indent);
      if (!nested) return undefined;
      map[key] = nested.value;
      i = nested.next;
    } else {
      map[key] = null;
      i++;
    }
  }
  if (i < lines.length && lines[i]!.indent > indent) return undefined;
  return { value: map, next: i };
}

// A block sequence whose items are scalars or mappings (`- key: value` then more keys below).
function parseSequence(raw: string[], lines: Line[], start: number, indent: number): Parsed {
  const items: unknown[] = [];
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('- ')) {
    const rest = lines[i]!.text.slice(2).replace(/^ +/, '');
    const itemIndent = indent + lines[i]!.text.length - rest.length;
    if (KEY.test(rest)) {
      // The item's first key sits on the dash line; its other keys follow at the same column. The
      // dash line stands in as that key's line for the call (copying the rest was quadratic).
      const dashLine = lines[i]!;
      lines[i] = { indent: itemIndent, text: rest, index: dashLine.index };
      const mapping = parseMapping(raw, lines, i, itemIndent);
      lines[i] = dashLine;
      if (!mapping) return undefined;
      items.push(mapping.value);
      i = mapping.next;
    } else {
      const scalar = parseScalar(rest);
      if (scalar === undefined) return undefined;
      items.push(scalar.value);
      i++;
    }
  }
  if (i < lines.length && lines[i]!.indent > indent) return undefined;
  return { value: items, next: i };
}

const BLOCK_HEADERS = new Set(['|', '|-', '>', '>-']);

// A literal (|) or folded (>) block scalar with clip or strip chomping. Declines the rarer forms:
// keep chomping, indentation indicators, leading blank lines, more-indented lines in folded text.
function readBlockScalar(
  raw: string[],
  header: number,
  parentIndent: number,
  style: string,
): { value: string; lastLine: number } | undefined {
  const body: string[] = [];
  let contentIndent = -1;
  let lastLine = header;
  for (let r = header + 1; r < raw.length; r++) {
    const line = raw[r]!;
    const spaces = line.length - line.replace(/^ +/, '').length;
    if (spaces === line.length) {
      if (contentIndent === -1 || spaces > contentIndent) return undefined;
      body.push('');
      continue;
    }
    if (contentIndent === -1) {
      if (spaces <= parentIndent) break;
      contentIndent = spaces;
    }
    if (spaces < contentIndent) break;
    if (spaces > contentIndent && style.startsWith('>')) return undefined;
    if (NOT_PRINTABLE.test(line)) return undefined;
    body.push(line.slice(contentIndent));
    lastLine = r;
  }
  if (contentIndent === -1) return undefined;
  const content = body.slice(0, lastLine - header);
  const text = style.startsWith('|') ? content.join('\n') : fold(content);
  return { value: style.endsWith('-') ? text : `${text}\n`, lastLine };
}

// Folded style: a single line break becomes a space; each blank line becomes a line break.
function fold(lines: string[]): string {
  let text = lines[0]!;
  let blanks = 0;
  for (const line of lines.slice(1)) {
    if (line === '') {
      blanks++;
      continue;
    }
    text += blanks > 0 ? '\n'.repeat(blanks) + line : ` ${line}`;
    blanks = 0;
  }
  return text;
}

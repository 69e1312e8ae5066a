// A fast reader and writer for the plain block YAML that almost every task file is: mappings and
// sequences by indentation, scalars on one line. Parsing 10,000 task files with the full YAML
// library costs ~3 s; this subset costs a tenth of that. Anything outside the subset (nested flow collections, some
// block scalars, anchors, tags, comments after a value, escapes JSON lacks) returns `undefined`, and the caller uses
// the full parser: this is a shortcut, never a second opinion.

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
// Everything YAML 1.2's core schema reads as a number (a little more, to be safe).
const CORE_NUMBER =
  /^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|\.(?:inf|Inf|INF)|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$|^\.(?:nan|NaN|NAN)$/;
const SIMPLE_NUMBER = /^-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?$/;
const JSON_ESCAPES = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/g;
// Characters YAML does not allow unescaped (and a byte-order mark, which it treats specially).
const NOT_PRINTABLE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff\u2028\u2029]/;

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

// A key this reader can take as written: not one the mapping has, not `__proto__`, and not a word
// YAML reads as null (the library then names the key "").
function isNewKey(map: Record<string, unknown>, key: string): boolean {
  return !Object.hasOwn(map, key) && key !== '__proto__' && key !== 'null' && key !== 'Null' && key !== 'NULL';
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

// A one-line flow sequence of scalars: `[a, "b", 'c']`. Nested collections decline.
function parseFlowSequence(text: string): { value: unknown[] } | undefined {
  if (!text.endsWith(']')) return undefined;
  const inner = text.slice(1, -1);
  const items: unknown[] = [];
  if (/^ *$/.test(inner)) return { value: items };
  let pos = 0;
  for (;;) {
    while (inner[pos] === ' ') pos++;
    const end = flowItemEnd(inner, pos);
    if (end === undefined) return undefined;
    const item = inner.slice(pos, end).replace(/ +$/, '');
    if (item === '' || (!/^["']/.test(item) && /[[\]{},]/.test(item))) return undefined;
    const scalar = parseScalar(item);
    if (scalar === undefined || (typeof scalar.value === 'object' && scalar.value !== null)) return undefined;
    items.push(scalar.value);
    pos = end;
    if (pos >= inner.length) return { value: items };
    pos++;
    if (/^ *$/.test(inner.slice(pos))) return undefined;
  }
}

// A one-line flow mapping of scalars under simple keys: `{ preset: shell, max_instances: 2 }` (how
// configs often name an agent). Nested collections, quoted or odd keys, and duplicates decline.
function parseFlowMapping(text: string): { value: Record<string, unknown> } | undefined {
  if (!text.endsWith('}')) return undefined;
  const inner = text.slice(1, -1);
  const map: Record<string, unknown> = {};
  if (/^ *$/.test(inner)) return { value: map };
  const key = /([A-Za-z_][A-Za-z0-9_-]*): +/y;
  let pos = 0;
  for (;;) {
    while (inner[pos] === ' ') pos++;
    key.lastIndex = pos;
    const match = key.exec(inner);
    if (!match || !isNewKey(map, match[1]!)) return undefined;
    pos = key.lastIndex;
    const end = flowItemEnd(inner, pos);
    if (end === undefined) return undefined;
    const item = inner.slice(pos, end).replace(/ +$/, '');
    if (item === '' || (!/^["']/.test(item) && /[[\]{},]/.test(item))) return undefined;
    const scalar = parseScalar(item);
    if (scalar === undefined || (typeof scalar.value === 'object' && scalar.value !== null)) return undefined;
    map[match[1]!] = scalar.value;
    pos = end;
    if (pos >= inner.length) return { value: map };
    pos++;
    if (/^ *$/.test(inner.slice(pos))) return undefined;
  }
}

// Where a flow item starting at `pos` ends (at the next top-level comma, or the end).
function flowItemEnd(inner: string, pos: number): number | undefined {
  const quote = inner[pos];
  if (quote === '"' || quote === "'") {
    let j = pos + 1;
    for (; j < inner.length; j++) {
      if (quote === '"' && inner[j] === '\\') j++;
      else if (inner[j] === quote) {
        if (quote === "'" && inner[j + 1] === "'") j++;
        else break;
      }
    }
    if (j >= inner.length) return undefined;
    let after = j + 1;
    while (inner[after] === ' ') after++;
    return after === inner.length || inner[after] === ',' ? after : undefined;
  }
  const comma = inner.indexOf(',', pos);
  return comma === -1 ? inner.length : comma;
}

// One scalar on one line, resolved as YAML 1.2's core schema does; undefined when unsure.
function parseScalar(text: string): { value: unknown } | undefined {
  if (text === '[]') return { value: [] };
  if (text === '{}') return { value: {} };
  if (NOT_PRINTABLE.test(text)) return undefined;
  const first = text[0]!;
  if (first === '[') return parseFlowSequence(text);
  if (first === '{') return parseFlowMapping(text);
  if (first === '"') {
    if (text.length < 2 || !text.endsWith('"')) return undefined;
    const inner = text.slice(1, -1);
    if (inner.replace(JSON_ESCAPES, '').match(/["\\]/)) return undefined;
    return { value: JSON.parse(text) as string };
  }
  if (first === "'") {
    if (text.length < 2 || !text.endsWith("'")) return undefined;
    const inner = text.slice(1, -1);
    if (inner.replace(/''/g, '').includes("'")) return undefined;
    return { value: inner.replace(/''/g, "'") };
  }
  if (!isPlainSafe(text)) return undefined;
  return resolvePlain(text);
}

// Whether `text`, written unquoted as a value on a `key: ` line, is read back as this very string
// (here, and so by the yaml library too, which this reader never contradicts).
export function readsAsPlainString(text: string): boolean {
  return text !== '' && text === text.trim() && !/[\n\r\t]/.test(text) && parseScalar(text)?.value === text;
}

function isPlainSafe(text: string): boolean {
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(text) && !/^-[0-9]/.test(text)) return false;
  return !text.includes(': ') && !text.includes(' #') && !text.endsWith(':');
}

function resolvePlain(text: string): { value: unknown } | undefined {
  switch (text) {
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return { value: null };
    case 'true':
    case 'True':
    case 'TRUE':
      return { value: true };
    case 'false':
    case 'False':
    case 'FALSE':
      return { value: false };
  }
  if (SIMPLE_NUMBER.test(text) && !text.startsWith('-0')) return { value: Number(text) };
  // Other number shapes (1e3, 0x1F, .inf, 007, +1) follow rules not worth copying here.
  if (CORE_NUMBER.test(text)) return undefined;
  return { value: text };
}

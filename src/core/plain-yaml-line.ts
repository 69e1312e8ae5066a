// One value on one line of the plain YAML subset (see plain-yaml.ts): a scalar, or a flow list or
// mapping of scalars, resolved as the yaml library resolves it, or undefined when unsure.

// Everything YAML 1.2's core schema reads as a number (a little more, to be safe).
const CORE_NUMBER =
  /^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|\.(?:inf|Inf|INF)|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$|^\.(?:nan|NaN|NAN)$/;
const SIMPLE_NUMBER = /^-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,15})?$/;
const JSON_ESCAPES = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/g;
// Characters YAML does not allow unescaped (and a byte-order mark, which it treats specially).
export const NOT_PRINTABLE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff\u2028\u2029]/;

// A key this reader can take as written: not one the mapping has, not `__proto__`, and not a word
// YAML reads as something else than this string (null, or a boolean: the library then names the key
// "", "true" or "false").
export function isNewKey(map: Record<string, unknown>, key: string): boolean {
  return !Object.hasOwn(map, key) && key !== '__proto__' && resolvePlain(key)?.value === key;
}

// A one-line flow sequence of scalars: `[a, "b", 'c']`. Nested collections decline.
function parseFlowSequence(text: string): { value: unknown[] } | undefined {
  if (!text.endsWith(']')) return undefined;
  const inner = text.slice(1, -1);
  const items = flowItems(inner, (pos) => flowScalar(inner, pos));
  return items && { value: items };
}

// A one-line flow mapping of scalars under simple keys: `{ preset: shell, max_instances: 2 }` (how
// configs often name an agent). Nested collections, quoted or odd keys, and duplicates decline.
function parseFlowMapping(text: string): { value: Record<string, unknown> } | undefined {
  if (!text.endsWith('}')) return undefined;
  const inner = text.slice(1, -1);
  const key = /([A-Za-z_][A-Za-z0-9_-]*): +/y;
  const pairs = flowItems(inner, (pos) => {
    key.lastIndex = pos;
    const name = key.exec(inner)?.[1];
    const scalar = name === undefined ? undefined : flowScalar(inner, key.lastIndex);
    return scalar && { value: [name!, scalar.value] as const, end: scalar.end };
  });
  if (!pairs) return undefined;
  const map: Record<string, unknown> = {};
  for (const [name, value] of pairs) {
    if (!isNewKey(map, name)) return undefined;
    map[name] = value;
  }
  return { value: map };
}

// The items of a one-line flow collection (the text between its brackets), each read from where it
// starts by `read`; undefined when one cannot be, or the commas are not one between each two items.
function flowItems<T>(inner: string, read: (pos: number) => { value: T; end: number } | undefined): T[] | undefined {
  const items: T[] = [];
  if (/^ *$/.test(inner)) return items;
  let pos = 0;
  for (;;) {
    while (inner[pos] === ' ') pos++;
    const item = read(pos);
    if (!item) return undefined;
    items.push(item.value);
    pos = item.end;
    if (pos >= inner.length) return items;
    pos++;
    if (/^ *$/.test(inner.slice(pos))) return undefined;
  }
}

// A scalar item of a flow collection starting at `pos`, and where it ends (at its comma or the end).
function flowScalar(inner: string, pos: number): { value: unknown; end: number } | undefined {
  const end = flowItemEnd(inner, pos);
  if (end === undefined) return undefined;
  const item = inner.slice(pos, end).replace(/ +$/, '');
  if (item === '' || (!/^["']/.test(item) && /[[\]{},]/.test(item))) return undefined;
  const scalar = parseScalar(item);
  if (scalar === undefined || (typeof scalar.value === 'object' && scalar.value !== null)) return undefined;
  return { value: scalar.value, end };
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
export function parseScalar(text: string): { value: unknown } | undefined {
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

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parsePlainYaml } from '../../src/core/plain-yaml.js';
import { readsAsPlainString } from '../../src/core/plain-yaml-line.js';

// Strings full of what trips YAML up: indicators, quotes, colons, hashes, escapes, look-alikes of
// numbers, booleans and nulls, unicode and control characters.
const tricky = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      ...'ab -:#"\'\\{}[]|>&*!%@`?,.0123456789\n\t\r\u0000\u007f\u0085\u00e9\u2028\ufeff'.split(''),
    ),
    maxLength: 12,
  }),
  fc.constantFrom(
    'null',
    'Null',
    '~',
    'true',
    'FALSE',
    'yes',
    '1',
    '-1',
    '007',
    '1e3',
    '0x1F',
    '.inf',
    '-.5',
    '1.50',
    '-0',
    '1.',
    '+.5',
    '.NaN',
    '0o17',
    '1_000',
    '1.2.3',
    '12:30',
    '0b101',
    '+12',
    '1e+3x',
    '2026-11-21T10:00:00.000Z',
    'shell#1',
    'http://x:1/y',
    '- a',
    'a: b',
    'a #b',
    '',
  ),
  fc.string({ maxLength: 20 }),
);
const key = fc.oneof(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/),
  fc.constantFrom('null', 'Null', 'true', 'FALSE', 'True', 'on'),
);

describe('readsAsPlainString', () => {
  it('is true only of text that the yaml library reads back as itself after `key: `', () => {
    fc.assert(
      fc.property(tricky, (text) => {
        if (readsAsPlainString(text)) expect(parse(`key: ${text}\n`)).toEqual({ key: text });
      }),
      { numRuns: 5000 },
    );
  });
});

describe('parsePlainYaml', () => {
  // Random documents assembled from lines that are sometimes plain and sometimes not.
  const flowItem = fc.oneof(
    tricky,
    tricky.map((v) => JSON.stringify(v)),
    tricky.map((v) => `'${v}'`),
  );
  const line = fc.tuple(
    fc.constantFrom(0, 0, 0, 1, 2, 4),
    fc.oneof(
      key.map((k) => `${k}:`),
      fc.tuple(key, tricky).map(([k, v]) => `${k}: ${v}`),
      tricky.map((v) => `- ${v}`),
      fc.constant('# note'),
      tricky,
      fc.tuple(key, fc.constantFrom('|', '|-', '>', '>-', '|+', '|2')).map(([k, v]) => `${k}: ${v}`),
      fc
        .tuple(key, fc.array(flowItem, { maxLength: 3 }), fc.constantFrom(', ', ',', ' , '))
        .map(([k, items, comma]) => `${k}: [${items.join(comma)}]`),
      fc
        .tuple(
          key,
          fc.array(fc.tuple(fc.oneof(key, tricky), fc.constantFrom(': ', ':', ':  ', ' : '), flowItem), {
            maxLength: 3,
          }),
          fc.constantFrom(', ', ',', ' , '),
          fc.constantFrom(['{', '}'], ['{ ', ' }'], ['{', ',}']),
        )
        .map(
          ([k, pairs, comma, [open, close]]) =>
            `${k}: ${open}${pairs.map(([name, colon, value]) => `${name}${colon}${value}`).join(comma)}${close}`,
        ),
    ),
  );
  const documents = fc
    .array(line, { minLength: 1, maxLength: 8 })
    .map((lines) => lines.map(([indent, text]) => `${' '.repeat(indent)}${text}`).join('\n'));

  it('either reads a document exactly as the yaml library does, or declines', () => {
    fc.assert(
      fc.property(documents, (text) => {
        const fast = parsePlainYaml(text);
        if (!fast) return;
        expect(() => parse(text, { uniqueKeys: true })).not.toThrow();
        expect(fast.data).toEqual(parse(text, { uniqueKeys: true }));
      }),
      { numRuns: 20000 },
    );
  });

  it('reads block scalars, flow lists and flow mappings as the yaml library does', () => {
    for (const text of [
      'description: |\n  Fix the bug.\n\n  # not a comment\n    indented\nagent: x\n',
      'description: |-\n  one\n  two\n\n\nnext: 1\n',
      'description: >\n  one\n  two\n\n  three\n',
      'description: >-\n  one\n  two\n',
      'a:\n  - b: |\n      text\n    c: 1\n',
      'locks: ["src/**", \'a, b\', c]\ndepends_on: [x,y]\n',
      'agents:\n  shell: { preset: shell, max_instances: 8 }\n  claude: {preset: claude, model: "opus", env: x}\n',
      'steps:\n  - {a: 1, b-c: null}\n  - { }\n',
    ]) {
      expect(parsePlainYaml(text)?.data, text).toEqual(parse(text));
    }
  });

  it('reads ordinary task files, daemon part included', () => {
    const text =
      '# fix it\ndescription: Fix the login bug\nagent: claude\npriority: high\nmax_retries: 2\ndepends_on:\n  - a\n  - b\nattempts:\n- number: 1\n  exit_code: null\nresult:\n  outcome: failed\n';
    const parsed = parsePlainYaml(text);
    expect(parsed?.data).toEqual(parse(text));
    expect(parsed?.keyLines.map((entry) => entry.line)).toEqual([1, 2, 3, 4, 5, 8, 11]);
  });

  it.each([
    ['a block scalar that keeps its trailing lines', 'description: |+\n  two\n  lines\n\n'],
    ['a block scalar with an indentation indicator', 'description: |2\n   two\n'],
    ['a nested flow list', 'a: [[b]]\n'],
    ['a nested flow mapping', 'a: {b: {c: 1}}\n'],
    ['a flow mapping with a quoted key', 'a: {"b": 1}\n'],
    ['a flow mapping with a key twice', 'a: {b: 1, b: 2}\n'],
    ['a key YAML reads as null', 'null: 1\n'],
    ['a key YAML reads as a boolean', 'a: {True: 1}\n'],
    ['a flow mapping with a key not followed by a space', 'a: {b:1}\n'],
    ['an anchor', 'a: &x 1\nb: *x\n'],
    ['a comment after a value', 'a: 1 # one\n'],
    ['a plain scalar over two lines', 'a: one\n  two\n'],
    ['a tab', 'a:\t1\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a YAML-only escape', 'a: "\\x41"\n'],
    ['a document marker', '---\na: 1\n'],
    ['a number in another notation', 'a: 0x1F\n'],
    ['a top-level list', '- a\n'],
  ])('declines %s (the full parser handles it)', (_, text) => {
    expect(parsePlainYaml(text)).toBeUndefined();
  });
});

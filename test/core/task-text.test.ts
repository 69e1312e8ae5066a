import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parsePlainYaml } from '../../src/core/plain-yaml.js';
import { renderTaskText } from '../../src/core/task-text.js';

// Any UTF-16 string: every code unit (controls, DEL, C1, U+2028/2029, the BOM, lone surrogates), as
// well as whole code points and the shapes that trip YAML up.
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
const tricky = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      ...'ab -:#"\'\\{}[]|>&*!%@`?,.0123456789\n\t\r \u0000\u007f\u0085\u00a0\u00e9\u2028\u2029\ufeff\ud800\udc00'.split(
        '',
      ),
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
    'No',
    'on',
    'y',
    '1',
    '-1',
    '007',
    '1e3',
    '0x10',
    '.inf',
    '-.5',
    '1.50',
    '-0',
    '.NaN',
    '0o17',
    '1_000',
    '12:30',
    '- x',
    '#x',
    '!x',
    '&x',
    ': x',
    'a: b',
    'a #b',
    '',
    'a\nb',
    'a\nb\n',
    'a\n\nb\n\n',
    ' a\nb',
    'a \nb',
    'a\n  b\n',
  ),
  fc.string({ unit: codeUnit, maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const scalar = fc.oneof(tricky, fc.integer({ min: -1e12, max: 1e12 }), fc.boolean(), fc.constant(null));
const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/).filter((name) => !['null', 'true', 'false'].includes(name));
const flat = fc.dictionary(key, scalar, { maxKeys: 6 });
const data = fc.dictionary(key, fc.oneof(scalar, fc.array(fc.oneof(flat, scalar), { maxLength: 3 }), flat), {
  minKeys: 1,
  maxKeys: 6,
});
const utf8 = new TextDecoder('utf-8', { fatal: true });

describe('renderTaskText', () => {
  it('writes data that the yaml library and the fast reader both read back unchanged, from its UTF-8 bytes', () => {
    fc.assert(
      fc.property(data, (value) => {
        const text = utf8.decode(Buffer.from(renderTaskText(value)));
        expect(parse(text)).toEqual(value);
        expect(parsePlainYaml(text)?.data).toEqual(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('writes the block style people expect in a task file', () => {
    const text = renderTaskText({
      attempts: [{ number: 1, agent: 'shell#1', exit_code: 0, error: 'exit 1: no "such" file' }],
      result: { outcome: 'success', duration_ms: 12 },
    });
    expect(text).toBe(
      'attempts:\n  - number: 1\n    agent: shell#1\n    exit_code: 0\n    error: "exit 1: no \\"such\\" file"\n' +
        'result:\n  outcome: success\n  duration_ms: 12\n',
    );
  });

  it('writes plain only what reads back as itself, several plain lines as a block, the rest double-quoted', () => {
    const text = (value: unknown) => renderTaskText({ d: value });
    expect(text('Fix the login bug')).toBe('d: Fix the login bug\n');
    for (const odd of [
      '1e3',
      '0x10',
      '.inf',
      'yes',
      'No',
      'null',
      '~',
      '- x',
      '#x',
      '!x',
      '&x',
      ': x',
      'a: b',
      ' x',
      'x ',
      '',
    ])
      expect(text(odd)).toBe(`d: ${JSON.stringify(odd)}\n`);
    expect(text('Run the tests\n  and report\n')).toBe('d: |\n  Run the tests\n    and report\n');
    expect(text('one\n\ntwo')).toBe('d: |-\n  one\n\n  two\n');
    expect(text(' indented\nfirst line')).toBe('d: " indented\\nfirst line"\n');
    // JSON.stringify leaves these as they are; YAML needs them escaped (or, for a lone surrogate, UTF-8 cannot hold it).
    expect(text('\u007f\u0085\u2028\u2029\ufeff\ud800 \u{1F600}')).toBe(
      'd: "\\u007f\\u0085\\u2028\\u2029\\ufeff\\ud800 \u{1F600}"\n',
    );
  });
});

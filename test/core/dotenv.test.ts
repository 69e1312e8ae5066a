import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../src/core/dotenv.js';

describe('parseDotenv', () => {
  it('reads NAME=value lines, comments, export, quotes; values are literal', () => {
    const text = [
      '# a comment',
      '',
      'PLAIN=value with spaces   # a comment',
      'export EXPORTED=yes',
      '  SPACED = around  ',
      'HASH=abc#def',
      `SINGLE='kept $HOME # as written'`,
      'DOUBLE="line\\nbreak \\"quoted\\" \\\\ $HOME" # after',
      'EMPTY=',
      'CRLF=windows\r',
      'PLAIN=later wins',
    ].join('\n');
    expect(parseDotenv(text)).toEqual({
      values: {
        PLAIN: 'later wins',
        EXPORTED: 'yes',
        SPACED: 'around',
        HASH: 'abc#def',
        SINGLE: 'kept $HOME # as written',
        DOUBLE: 'line\nbreak "quoted" \\ $HOME',
        EMPTY: '',
        CRLF: 'windows',
      },
      problems: [],
    });
  });

  it('names each malformed line and keeps the others', () => {
    const text = ['GOOD=1', 'just words', 'MY-KEY=x', 'OPEN="never closed', "TRAIL='a' b", '1ST=x', 'ALSO_GOOD=2'].join(
      '\n',
    );
    const parsed = parseDotenv(text);
    expect(parsed.values).toEqual({ GOOD: '1', ALSO_GOOD: '2' });
    expect(parsed.problems).toEqual([
      { line: 2, message: 'not a NAME=value line (write NAME=value; lines starting with # are comments)' },
      { line: 3, message: '"MY-KEY" is not a variable name (letters, digits and _, not starting with a digit)' },
      { line: 4, message: 'the value has no closing " (a value is one line)' },
      { line: 5, message: "text after the closing ' (put a # before a comment)" },
      { line: 6, message: '"1ST" is not a variable name (letters, digits and _, not starting with a digit)' },
    ]);
  });
});

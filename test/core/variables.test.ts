import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandVariables } from '../../src/core/variables.js';

const environment: Record<string, string> = { HOME: '/home/me', EMPTY: '', KEY: 'sk-1' };
const lookup = (name: string) => environment[name];

describe('expandVariables', () => {
  it.each([
    ['${HOME}/bin', '/home/me/bin'],
    ['$HOME/bin:$KEY', '/home/me/bin:sk-1'],
    ['${EMPTY:-fallback} ${UNSET:-x y} ${KEY:-no}', 'fallback x y sk-1'],
    ['${EMPTY}|${UNSET:-}', '|'],
    ['costs 5 $$, $${HOME} and $$HOME stay', 'costs 5 $, ${HOME} and $HOME stay'],
    ['a $ alone, $1 and a$', 'a $ alone, $1 and a$'],
  ])('%s -> %s', (text, value) => {
    expect(expandVariables(text, lookup)).toEqual({ ok: true, value });
  });

  it.each([
    ['${UNSET}', /^UNSET is not set \(add a line UNSET=\.\.\. to the workspace's \.env/],
    ['$UNSET/bin', /^UNSET is not set/],
    ['${HOME', /has no closing \}/],
    ['${HOME:?}', /is not a variable/],
    ['${}', /is not a variable/],
  ])('%s is a problem', (text, problem) => {
    const expanded = expandVariables(text, lookup);
    expect(expanded).toMatchObject({ ok: false, problem: expect.stringMatching(problem) });
  });

  it('leaves text without $ as it is, and $$ writes any text literally', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(expandVariables(text.replaceAll('$', ''), () => 'x')).toEqual({
          ok: true,
          value: text.replaceAll('$', ''),
        });
        expect(
          expandVariables(
            text.replaceAll('$', () => '$$'),
            () => 'x',
          ),
        ).toEqual({ ok: true, value: text });
      }),
    );
  });
});

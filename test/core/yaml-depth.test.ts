import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderTaskText } from '../../src/core/task-text.js';
import { nestingProblem, walkNesting } from '../../src/core/yaml-depth.js';

describe('nestingProblem', () => {
  it('refuses flow collections nested past 64 levels, and indentation past 256 columns, naming the line', () => {
    expect(nestingProblem(`description: x\nv: ${'['.repeat(64)}${']'.repeat(64)}\n`)).toBeUndefined();
    expect(nestingProblem(`description: x\nv: ${'['.repeat(65)}${']'.repeat(65)}\n`)).toEqual({
      path: 'line 2',
      message: 'nested more than 64 brackets deep (a task file needs a few levels at most)',
    });
    expect(nestingProblem(`description: x\nv: [a, {b: [${'{c: ['.repeat(40)}]}]\n`)?.path).toBe('line 2');
    const keys = (levels: number) =>
      `description: deep\n${Array.from({ length: levels }, (_, n) => `${' '.repeat(n)}k${n}:`).join('\n')} x\n`;
    expect(nestingProblem(keys(257))).toBeUndefined();
    expect(nestingProblem(keys(300))).toEqual({
      path: 'line 259',
      message: 'indented more than 256 columns (a task file needs a few levels at most)',
    });
  });

  it('does not count what YAML reads as text: quoted scalars, plain scalars, comments, block scalars', () => {
    const texts = [
      `description: "${'['.repeat(100)}"\n`,
      `description: '${'{'.repeat(100)} it''s'\n`,
      `description: "multi\n  ${'['.repeat(100)}\n  line"\nagent: x\n`,
      `description: fix ${'{'.repeat(100)}\n`,
      `description: it's ${'['.repeat(100)}\n`,
      `description: x # ${'['.repeat(100)}\n`,
      `# ${'['.repeat(100)}\ndescription: x\n`,
      `description: |\n  code:\n${' '.repeat(400)}${'['.repeat(100)}\n  end\npriority: high\n`,
      `steps:\n  - >-\n    ${'{'.repeat(100)}\n  - done\n`,
    ];
    for (const text of texts) expect(nestingProblem(text), text.slice(0, 40)).toBeUndefined();
  });

  it('accepts every task file the renderer writes, whatever its strings', () => {
    for (const description of [
      '['.repeat(65),
      'fix {'.repeat(70),
      `first line\n${' '.repeat(300)}key: [x]\nlast`,
      `${'{'.repeat(70)}\n${'['.repeat(70)}`,
    ]) {
      expect(nestingProblem(renderTaskText({ description })), description.slice(0, 20)).toBeUndefined();
    }
    const heavy = fc.string({
      unit: fc.constantFrom('[', '{', ']', '}', ' ', '\n', '"', "'", '#', ':', '-', '|', 'a'),
      maxLength: 600,
    });
    fc.assert(
      fc.property(heavy, fc.array(heavy, { maxLength: 3 }), (description, list) => {
        expect(
          nestingProblem(renderTaskText({ description, depends_on: list, result: { summary: description } })),
        ).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('nestingProblem, indicators in a row', () => {
  it('refuses more than 64 entries, tags or anchors opened on one line', () => {
    for (const indicator of ['? ', '- ', '!t ', '&a ']) {
      expect(nestingProblem(`description: x\nv: ${indicator.repeat(64)}x\n`), indicator).toBeUndefined();
      expect(nestingProblem(`description: x\nv: ${indicator.repeat(65)}x\n`), indicator).toEqual({
        path: 'line 2',
        message: 'more than 64 nested entries, tags or anchors on one line (a task file needs a few at most)',
      });
    }
  });
});

describe('nestingProblem, shapes the yaml library is slow on', () => {
  it('refuses more than 1,000 anchors and aliases in a file', () => {
    const file = (anchors: number, rounds: number) => {
      let text = 'description: x\nlocks:\n';
      for (let n = 0; n < anchors; n++) text += `  - &a${n} x${n}\n`;
      for (let r = 0; r < rounds; r++) for (let n = 0; n < anchors; n++) text += `  - *a${n}\n`;
      return text;
    };
    expect(nestingProblem(file(500, 1))).toBeUndefined();
    expect(nestingProblem(file(1000, 20))).toEqual({
      path: 'line 1003',
      message: 'more than 1000 anchors and aliases (a task file needs none)',
    });
  });

  it('counts an indicator followed by a tab, and checks indentation inside a flow collection too', () => {
    expect(nestingProblem(`x:\n${'-\t'.repeat(100)}y\n`)?.message).toMatch(/more than 64 nested entries/);
    const afterBracket = `description: x\n  [\n${Array.from({ length: 300 }, (_, n) => `${' '.repeat(n)}? k`).join('\n')}\n`;
    expect(nestingProblem(afterBracket)?.message).toMatch(/indented more than 256 columns/);
  });

  it('answers as the full walk does, for any text (its native pre-check only skips texts that cannot fail)', () => {
    const unit = fc.constantFrom(
      '[',
      '{',
      ']',
      '}',
      ' ',
      '\n',
      '"',
      "'",
      '#',
      ':',
      '-',
      '?',
      '!',
      '&',
      '*',
      '|',
      '>',
      'a',
      '\t',
      '\r',
      ',',
    );
    // Runs that reach each limit: indentation, brackets, indicators on one line, anchors.
    const run = fc
      .tuple(
        fc.constantFrom(' ', '[', '{', '- ', '? ', ': ', '!t ', '&a ', '*a ', '"x\n', 'k: '),
        fc.oneof(fc.constantFrom(64, 65, 256, 257), fc.integer({ min: 55, max: 270 })),
      )
      .map(([piece, times]) => piece.repeat(times));
    const text = fc
      .array(fc.oneof(fc.string({ unit, maxLength: 40 }), run), { maxLength: 6 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (yaml) => {
        expect(nestingProblem(yaml)).toEqual(walkNesting(yaml));
      }),
      { numRuns: 3000 },
    );
  });
});

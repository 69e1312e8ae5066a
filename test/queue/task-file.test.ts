import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTaskText, readTaskFile } from '../../src/queue/task-file.js';

const signature = { size: 0, mtimeMs: 0, ino: 0 };
const problemsOf = (text: string | Buffer) => {
  const read = parseTaskText(typeof text === 'string' ? Buffer.from(text) : text, 't', signature);
  return read.kind === 'invalid' ? read.problems : [];
};

describe('parseTaskText', () => {
  it('names the line of a YAML syntax error', () => {
    expect(problemsOf('description: ok\nagent: [unclosed\n')).toEqual([
      { path: 'line 2', message: expect.stringMatching(/^invalid YAML: .*\(fix the syntax\)$/) },
    ]);
  });

  it('refuses duplicate keys, empty files, non-mappings and non-UTF-8 bytes', () => {
    expect(problemsOf('description: a\ndescription: b\n')[0]!.message).toMatch(/duplicate key "description"/);
    expect(problemsOf('')[0]!.message).toMatch(/empty/);
    expect(problemsOf('# only a comment\n')[0]!.message).toMatch(/empty/);
    expect(problemsOf('- a\n- b\n')[0]!.message).toMatch(/mapping/);
    expect(problemsOf(Buffer.from([0x64, 0x3a, 0x20, 0xff, 0xfe, 0x0a]))[0]!.message).toMatch(/UTF-8/);
  });

  it('returns the task with its text', () => {
    const read = parseTaskText(Buffer.from('description: hi\n'), 't', signature);
    expect(read).toMatchObject({ kind: 'task', text: 'description: hi\n', task: { id: 't' } });
  });
});

describe('readTaskFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrate-read-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses symlinks, directories and huge files before reading them', () => {
    writeFileSync(join(dir, 'real.yaml'), 'description: x\n');
    symlinkSync(join(dir, 'real.yaml'), join(dir, 'link.yaml'));
    mkdirSync(join(dir, 'folder.yaml'));
    writeFileSync(join(dir, 'huge.yaml'), Buffer.alloc(2 * 1024 * 1024, 0x61));
    expect(readTaskFile(join(dir, 'link.yaml'), 'link')).toMatchObject({
      kind: 'invalid',
      problems: [{ message: expect.stringMatching(/symlink/) }],
    });
    expect(readTaskFile(join(dir, 'folder.yaml'), 'folder')).toMatchObject({
      kind: 'invalid',
      problems: [{ message: expect.stringMatching(/directory/) }],
    });
    expect(readTaskFile(join(dir, 'huge.yaml'), 'huge')).toMatchObject({
      kind: 'invalid',
      problems: [{ message: expect.stringMatching(/2\.0 MB.*limited to 1 MB/) }],
    });
    expect(readTaskFile(join(dir, 'absent.yaml'), 'absent')).toEqual({ kind: 'missing' });
    expect(readTaskFile(join(dir, 'real.yaml'), 'real')).toMatchObject({ kind: 'task' });
  });
});

describe('parseTaskText on hostile input', () => {
  const parse = (text: string) => parseTaskText(Buffer.from(text), 'x', { size: 0, mtimeMs: 0, ino: 0 });

  it('turns an alias bomb into a problem instead of throwing', () => {
    const lines = ['description: boom', 'a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let n = 1; n <= 6; n++)
      lines.push(
        `l${n}: &l${n} [${Array(9)
          .fill(n === 1 ? '*a' : `*l${n - 1}`)
          .join(', ')}]`,
      );
    expect(parse(`${lines.join('\n')}\n`)).toMatchObject({
      kind: 'invalid',
      problems: [
        {
          path: '',
          message: expect.stringMatching(/^cannot be read as YAML: Excessive alias count.*\(write plain fields/),
        },
      ],
    });
  });

  it('names a key that appears twice in one mapping, with its line', () => {
    expect(parse('description: a\npriority: high\ndescription: b\n')).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'line 3', message: 'duplicate key "description" (keep one of the two)' }],
    });
    expect(parse('description: a\nwhen: {failed: x, failed: y}\n')).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'line 2', message: 'duplicate key "failed" (keep one of the two)' }],
    });
  });

  it('sums up thousands of problems in a last line', () => {
    const read = parse(`description: wide\n${Array.from({ length: 5000 }, (_, n) => `k${n}: x`).join('\n')}\n`);
    expect(read.kind === 'invalid' && read.problems).toHaveLength(21);
    expect(read.kind === 'invalid' && read.problems.at(-1)).toEqual({
      path: '',
      message: 'and 4980 more problems (fix the ones above first)',
    });
  });
});

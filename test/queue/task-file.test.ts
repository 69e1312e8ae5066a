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
    expect(problemsOf('description: ok\nagent: [unclosed\n')).toEqual([{ path: 'line 2', message: expect.stringMatching(/^invalid YAML: .*\(fix the syntax\)$/) }]);
  });

  it('refuses duplicate keys, empty files, non-mappings and non-UTF-8 bytes', () => {
    expect(problemsOf('description: a\ndescription: b\n')[0]!.message).toMatch(/invalid YAML/);
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
    expect(readTaskFile(join(dir, 'link.yaml'), 'link')).toMatchObject({ kind: 'invalid', problems: [{ message: expect.stringMatching(/symlink/) }] });
    expect(readTaskFile(join(dir, 'folder.yaml'), 'folder')).toMatchObject({ kind: 'invalid', problems: [{ message: expect.stringMatching(/directory/) }] });
    expect(readTaskFile(join(dir, 'huge.yaml'), 'huge')).toMatchObject({ kind: 'invalid', problems: [{ message: expect.stringMatching(/2\.0 MB.*limited to 1 MB/) }] });
    expect(readTaskFile(join(dir, 'absent.yaml'), 'absent')).toEqual({ kind: 'missing' });
    expect(readTaskFile(join(dir, 'real.yaml'), 'real')).toMatchObject({ kind: 'task' });
  });
});

// Reading `lsof -F` output: descriptors grouped under their process, with access mode and inode.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWriting, parseLsofOutput, type LsofFile } from '../../src/process/lsof-output.js';

describe('parseLsofOutput', () => {
  it('reads what lsof printed for two processes holding one file (one writing, one reading)', () => {
    const output =
      'p9937\ncsleep\nf3\naw\nD0xfe00\ni2400273\nn/tmp/x/a.yaml\np9971\ncvim\nf4\nar\ni2400273\nf5\nau\ni2400289\n';
    expect(parseLsofOutput(output)).toEqual([
      { pid: 9937, command: 'sleep', fd: '3', access: 'w', inode: 2400273 },
      { pid: 9971, command: 'vim', fd: '4', access: 'r', inode: 2400273 },
      { pid: 9971, command: 'vim', fd: '5', access: 'u', inode: 2400289 },
    ]);
  });

  it('reads back any listing, whatever the fields lsof adds', () => {
    const file = fc.record({
      fd: fc.oneof(fc.nat({ max: 4096 }).map(String), fc.constantFrom('cwd', 'txt', 'mem')),
      access: fc.constantFrom('r', 'w', 'u', ''),
      inode: fc.option(fc.nat(), { nil: undefined }),
    });
    const processes = fc.array(
      fc.record({ pid: fc.integer({ min: 1 }), command: fc.stringMatching(/^[^\n]{1,15}$/), files: fc.array(file) }),
      { maxLength: 5 },
    );
    fc.assert(
      fc.property(processes, (listed) => {
        const lines = listed.flatMap(({ pid, command, files }) => [
          `p${pid}`,
          `c${command}`,
          ...files.flatMap((f) => [
            `f${f.fd}`,
            ...(f.access ? [`a${f.access}`] : []),
            'D0x803',
            ...(f.inode === undefined ? [] : [`i${f.inode}`]),
            'n/some/path',
          ]),
        ]);
        const expected: LsofFile[] = listed.flatMap(({ pid, command, files }) =>
          files.map((f) => ({
            pid,
            command,
            fd: f.fd,
            access: f.access,
            ...(f.inode === undefined ? {} : { inode: f.inode }),
          })),
        );
        expect(parseLsofOutput(`${lines.join('\n')}\n`)).toEqual(expected);
      }),
    );
  });
});

describe('isWriting', () => {
  it.each([
    ['3', 'w', true],
    ['3', 'u', true],
    ['3', 'r', false],
    ['cwd', 'u', false],
    ['3', '', false],
  ])('fd %s with access %j: %s', (fd, access, writing) =>
    expect(isWriting({ pid: 1, command: 'x', fd, access })).toBe(writing),
  );
});

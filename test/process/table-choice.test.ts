// The one place the process table is chosen: forced by ORCHESTRATE_PROCESS_TABLE, else by /proc.
import { describe, expect, it } from 'vitest';
import { chooseTable } from '../../src/process/process-table.js';

describe('chooseTable', () => {
  it('takes linux where /proc can be read and posix elsewhere', () => {
    expect(chooseTable(undefined, true).name).toBe('linux');
    expect(chooseTable(undefined, false).name).toBe('posix');
    expect(chooseTable('', true).name).toBe('linux');
  });

  it('follows ORCHESTRATE_PROCESS_TABLE', () => {
    expect(chooseTable('posix', true)).toEqual({ name: 'posix', why: 'ORCHESTRATE_PROCESS_TABLE=posix' });
    expect(chooseTable('linux', true)).toEqual({ name: 'linux', why: 'ORCHESTRATE_PROCESS_TABLE=linux' });
  });

  it('says what it could not follow, and how to fix it', () => {
    expect(chooseTable('linux', false)).toMatchObject({
      name: 'posix',
      problem: expect.stringContaining('unset ORCHESTRATE_PROCESS_TABLE'),
    });
    expect(chooseTable('bsd', true)).toMatchObject({
      name: 'linux',
      problem: 'ORCHESTRATE_PROCESS_TABLE=bsd is not a process table (set it to linux or posix, or unset it)',
    });
  });
});

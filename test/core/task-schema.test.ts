import { describe, expect, it } from 'vitest';
import { validateTask } from '../../src/core/task-schema.js';

const problems = (data: unknown, id = 't1') => {
  const result = validateTask(id, data);
  return result.ok ? [] : result.problems;
};

describe('validateTask', () => {
  it('accepts the full person part of a task', () => {
    const result = validateTask('auth', {
      description: 'Implement JWT login',
      agent: 'claude',
      role: 'backend-engineer',
      priority: 'high',
      depends_on: ['db-schema'],
      context_files: ['docs/api.md'],
      locks: ['src/auth/**'],
      timeout: '30m',
      max_retries: 2,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.task.priority).toBe(0);
    expect(result.task.dependsOn).toEqual(['db-schema']);
    expect(result.task.timeoutMs).toBe(1_800_000);
  });

  it('takes priorities as words or numbers', () => {
    for (const [value, level] of [
      ['low', 2],
      [0, 0],
      ['2', 2],
      ['NORMAL', 1],
    ] as const) {
      const result = validateTask('t', { description: 'x', priority: value });
      expect(result.ok && result.task.priority).toBe(level);
    }
  });

  it('accepts a single dependency as a string', () => {
    const result = validateTask('t', { description: 'x', depends_on: 'other' });
    expect(result.ok && result.task.dependsOn).toEqual(['other']);
  });

  it('requires a description and says how to add one', () => {
    expect(problems({ agent: 'claude' })).toEqual([
      { path: 'description', message: expect.stringMatching(/required.*description:/) },
    ]);
    expect(problems({ description: '   ' })[0]).toMatchObject({
      path: 'description',
      message: expect.stringMatching(/empty/),
    });
  });

  it('suggests the field meant by a typo', () => {
    expect(problems({ description: 'x', priorty: 'high' })).toEqual([
      { path: 'priorty', message: 'unknown field (did you mean "priority"?)' },
    ]);
  });

  it('names the field and the fix for bad values', () => {
    expect(problems({ description: 'x', priority: 'urgent' })[0]).toMatchObject({
      path: 'priority',
      message: expect.stringMatching(/high, normal or low/),
    });
    expect(problems({ description: 'x', timeout: 'soon' })[0]).toMatchObject({
      path: 'timeout',
      message: expect.stringMatching(/duration/),
    });
    expect(problems({ description: 'x', max_retries: -1 })[0]).toMatchObject({ path: 'max_retries' });
    expect(problems({ description: 'x', depends_on: ['ok', 'not ok'] })[0]).toMatchObject({ path: 'depends_on[1]' });
  });

  it('keeps context files inside the workspace', () => {
    expect(problems({ description: 'x', context_files: ['../secrets'] })[0]).toMatchObject({
      path: 'context_files[0]',
      message: expect.stringMatching(/inside the workspace/),
    });
    expect(problems({ description: 'x', context_files: ['/etc/passwd'] })[0]).toMatchObject({
      path: 'context_files[0]',
    });
  });

  it('refuses locks that are absolute or climb out with "..", saying what to write', () => {
    for (const lock of ['/', '/etc/passwd', '../x', 'src/../../x']) {
      expect(problems({ description: 'x', locks: ['src/**', lock] }), lock).toEqual([
        {
          path: 'locks[1]',
          message: expect.stringMatching(/relative to the workspace.*"\*\*" for the whole workspace/),
        },
      ]);
    }
    expect(problems({ description: 'x', locks: ['**', 'src/a..b', './docs'] })).toEqual([]);
  });

  it('refuses empty files, non-mappings and bad ids', () => {
    expect(problems(null)[0]!.message).toMatch(/empty/);
    expect(problems(['a'])[0]!.message).toMatch(/mapping/);
    expect(problems({ description: 'x' }, 'a b')[0]!.message).toMatch(/id/);
  });

  it('accepts what the daemon writes back', () => {
    const result = validateTask('t', {
      description: 'x',
      created_at: '2026-01-01T00:00:00.000Z',
      attempts: [{ number: 1, agent: 'shell#1', outcome: 'failed', exit_code: 3, error: 'exit 3' }],
      retry_after: '2026-01-01T00:01:00.000Z',
      result: { outcome: 'failed', error: 'exit 3', duration_ms: 10 },
    });
    expect(result.ok).toBe(true);
  });
});

describe('validateTask, values YAML reads as another type', () => {
  const problemOf = (data: Record<string, unknown>) => {
    const result = validateTask('t', data);
    return result.ok ? undefined : result.problems[0];
  };

  it('says what YAML made of a text field, and how to keep it as text', () => {
    expect(problemOf({ description: 1000 })).toEqual({
      path: 'description',
      message:
        'must be the prompt for the agent, as text, but YAML read it as the number 1000 (put the value in quotes to keep it as text)',
    });
    expect(problemOf({ description: 'x', command: true })).toEqual({
      path: 'command',
      message:
        'must be a shell command line, but YAML read it as the boolean true (put the value in quotes to keep it as text)',
    });
    expect(problemOf({ description: null })?.message).toBe(
      'must be the prompt for the agent, as text, but it is empty (write the value after the colon)',
    );
    expect(problemOf({})).toEqual({
      path: 'description',
      message: 'is required: the prompt for the agent (add `description: ...`)',
    });
  });

  it('says what it got for other fields, instead of "Invalid input"', () => {
    expect(problemOf({ description: 'x', priority: [1, 2] })).toEqual({
      path: 'priority',
      message: 'must be high, normal or low (or 0, 1, 2), not a list',
    });
    expect(problemOf({ description: 'x', max_retries: 'two' })).toEqual({
      path: 'max_retries',
      message: 'must be a whole number, 0 or more, not the text "two"',
    });
  });

  it('lists the known fields once, on the first unknown field', () => {
    const result = validateTask('t', { description: 'x', zzz1: 1, zzz2: 2 });
    expect(!result.ok && result.problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/^unknown field \(known fields: description, /),
      'unknown field',
    ]);
  });
});

describe('validateTask, a bad file name', () => {
  it('is reported with the other problems of the file, not alone', () => {
    const result = validateTask('a b', { descripton: 'x' });
    expect(!result.ok && result.problems.map((problem) => problem.path)).toEqual(['', 'description', 'descripton']);
  });
});

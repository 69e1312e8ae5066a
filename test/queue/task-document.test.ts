import { describe, expect, it } from 'vitest';
import { renderTaskText } from '../../src/core/task-text.js';
import { renderTask } from '../../src/queue/task-document.js';

const PERSON = `# Login work for the auth epic
description: Implement JWT login   # the prompt
agent: claude
priority: high # urgent for the demo
depends_on: [db-schema]
`;

describe('renderTask', () => {
  it("keeps the person's fields, order and comments and appends the daemon's below", () => {
    const text = renderTask(PERSON, {
      created_at: '2026-01-01T00:00:00.000Z',
      attempts: [{ number: 1, agent: 'claude#1', outcome: 'success', exit_code: 0 }],
      result: { outcome: 'success', summary: 'done', duration_ms: 5 },
    });
    expect(text.startsWith(PERSON)).toBe(true);
    expect(text.slice(PERSON.length)).toBe(
      [
        'created_at: 2026-01-01T00:00:00.000Z',
        'attempts:',
        '  - number: 1',
        '    agent: claude#1',
        '    outcome: success',
        '    exit_code: 0',
        'result:',
        '  outcome: success',
        '  summary: done',
        '  duration_ms: 5',
        '',
      ].join('\n'),
    );
  });

  it('keeps a created_at the person wrote and replaces stale daemon fields', () => {
    const first = renderTask('description: x\ncreated_at: 2020-01-01T00:00:00Z\n', {
      created_at: 'later',
      attempts: [{ number: 1, outcome: 'failed' }],
      retry_after: 'soon',
    });
    expect(first).toContain('created_at: 2020-01-01T00:00:00Z');
    expect(first).not.toContain('later');
    const second = renderTask(first, {
      attempts: [
        { number: 1, outcome: 'failed' },
        { number: 2, outcome: 'success' },
      ],
      retry_after: undefined,
      result: { outcome: 'success' },
    });
    expect(second).not.toContain('retry_after');
    expect(second.match(/number:/g)).toHaveLength(2);
    expect(second.indexOf('attempts:')).toBeLessThan(second.indexOf('result:'));
  });
});

describe('renderTask and comments below the daemon part', () => {
  it('keeps a comment a person appended below or among the daemon fields, at the end', () => {
    const ran = renderTask('description: x\n', { created_at: '2026-01-01T00:00:00.000Z' });
    const noted = `${ran}# a note added while it ran\n`;
    const again = renderTask(noted, {
      attempts: [{ number: 1, agent: 'shell#1', outcome: 'success', exit_code: 0 }],
      result: { outcome: 'success', summary: 'done\n# not a comment: inside a block' },
    });
    expect(again.startsWith('description: x\ncreated_at: 2026-01-01T00:00:00.000Z\nattempts:\n')).toBe(true);
    expect(again.endsWith('# a note added while it ran\n')).toBe(true);
    expect(again.match(/# a note added while it ran/g)).toHaveLength(1);
    // The daemon's own lines are never taken for a person's comment, and the note stays once.
    const third = renderTask(again, { retry_after: undefined });
    expect(third).toBe(again);
    // An indented comment among the attempts is a person's too; a block's lines are not comments.
    const indented = renderTask(again.replace('attempts:\n', 'attempts:\n  # why it failed: the disk was full\n'), {
      retry_after: undefined,
    });
    expect(indented.match(/# why it failed: the disk was full/g)).toHaveLength(1);
    expect(indented.match(/# not a comment: inside a block/g)).toHaveLength(1);
    // The yaml library's path (a flow value in the person's part) keeps it too.
    const flow = renderTask(`description: x\nlocks: [a]\ncreated_at: 2026-01-01T00:00:00.000Z\n# flow note\n`, {
      result: { outcome: 'success' },
    });
    expect(flow.endsWith('# flow note\n')).toBe(true);
  });
});

describe('renderTask when a person put daemon fields among their own', () => {
  it("writes the daemon's part below the person's, as the one renderer writes it", () => {
    const update = {
      attempts: [{ number: 1, outcome: 'failed' as const, error: 'no' }],
      result: { outcome: 'failed' as const, error: 'no' },
    };
    const text = renderTask('description: x\nresult: { outcome: success }\npriority: high\n', update);
    expect(text).toBe(`description: x\npriority: high\n${renderTaskText(update)}`);
  });
});

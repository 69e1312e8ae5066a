import { describe, expect, it } from 'vitest';
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
      ['created_at: 2026-01-01T00:00:00.000Z', 'attempts:', '  - number: 1', '    agent: claude#1', '    outcome: success', '    exit_code: 0', 'result:', '  outcome: success', '  summary: done', '  duration_ms: 5', ''].join('\n'),
    );
  });

  it('keeps a created_at the person wrote and replaces stale daemon fields', () => {
    const first = renderTask('description: x\ncreated_at: 2020-01-01T00:00:00Z\n', { created_at: 'later', attempts: [{ number: 1, outcome: 'failed' }], retry_after: 'soon' });
    expect(first).toContain('created_at: 2020-01-01T00:00:00Z');
    expect(first).not.toContain('later');
    const second = renderTask(first, { attempts: [{ number: 1, outcome: 'failed' }, { number: 2, outcome: 'success' }], retry_after: undefined, result: { outcome: 'success' } });
    expect(second).not.toContain('retry_after');
    expect(second.match(/number:/g)).toHaveLength(2);
    expect(second.indexOf('attempts:')).toBeLessThan(second.indexOf('result:'));
  });
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
afterEach(() => ws.cleanup());

function place(state: string, id: string, text: string): void {
  writeFileSync(join(ws.root, 'tasks', state, `${id}.yaml`), text);
}

describe('orchestrate wait without a daemon', () => {
  it('exits 0 when every task completed, printing one line per task', () => {
    ws = makeWorkspace();
    place('completed', 'a', 'description: a\nresult: { outcome: success }\n');
    place('completed', 'b', 'description: b\nresult: { outcome: success }\n');
    expect(cli(ws.root, ['wait', 'a', 'b'])).toMatchObject({ code: 0, stdout: 'a: completed\nb: completed\n' });
  });

  it('exits 1 when any failed, with the reason, or was set aside as invalid', () => {
    ws = makeWorkspace();
    place('completed', 'a', 'description: a\n');
    place('failed', 'b', 'description: b\nresult: { outcome: timeout, error: timed out after 30s }\n');
    place('failed', 'c', 'descripton: c\n');
    writeFileSync(
      join(ws.root, 'tasks/failed/c.error'),
      'tasks/pending/c.yaml: descripton: unknown field (did you mean "description"?)\nFix it, then move it back\n',
    );
    const result = cli(ws.root, ['wait', 'a', 'b', 'c']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'a: completed\nb: failed: timeout: timed out after 30s\nc: failed: tasks/pending/c.yaml: descripton: unknown field (did you mean "description"?)\n',
    );
    expect(JSON.parse(cli(ws.root, ['wait', '--json', 'a', 'b']).stdout)).toEqual([
      { id: 'a', outcome: 'completed' },
      { id: 'b', outcome: 'failed', error: 'timeout: timed out after 30s' },
    ]);
  });

  it('gives up after --timeout with exit 1, saying where each task still is', () => {
    ws = makeWorkspace();
    place('pending', 'slow', 'description: slow\n');
    expect(cli(ws.root, ['wait', '--timeout', '200ms', 'slow'])).toMatchObject({
      code: 1,
      stdout: 'slow: timed out: still pending after 200ms\n',
    });
  });

  it('exits 2 for usage errors: an unknown id, no id, a bad timeout, a task waiting for itself', () => {
    ws = makeWorkspace();
    place('pending', 'me', 'description: me\n');
    expect(cli(ws.root, ['wait', 'me', 'nope'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no task "nope" in tasks/'),
    });
    expect(cli(ws.root, ['wait']).code).toBe(2);
    expect(cli(ws.root, ['wait', '--timeout', 'soon', 'me'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--timeout'),
    });
    expect(cli(ws.root, ['wait', 'me'], { env: { ORCHESTRATE_TASK_ID: 'me' } })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('a task cannot wait for itself'),
    });
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, cli, daemonTest, dropTask, inProcessDaemon, makeWorkspace } from '../helpers/workspace.js';

const t = daemonTest();

// A supervisor: from another folder (so only $ORCHESTRATE_ROOT finds the workspace) it submits a
// child task as its own child, waits for it, and fails if the child failed.
function supervisor(childCommand: string): string {
  const orchestrate = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;
  return [
    'description: supervise a worker',
    'max_retries: 0',
    'command: |',
    '  cd /',
    `  child=$(${orchestrate} add --parent "$ORCHESTRATE_TASK_ID" --max-retries 0 --command '${childCommand}' "worker for $ORCHESTRATE_TASK_ID") || exit 7`,
    `  ${orchestrate} wait "$child" || exit 8`,
    '  echo "supervised $child"',
    '',
  ].join('\n');
}

const read = (root: string, state: string, id: string) =>
  parse(readFileSync(join(root, 'tasks', state, `${id}.yaml`), 'utf8'));

describe('delegation: an agent adds tasks as its children and waits for them', () => {
  it('the parent runs add --parent and wait inside its task; the child records its parent, show lists the child', async () => {
    t.ws = makeWorkspace();
    dropTask(t.ws.root, 'boss', supervisor('echo from-child > child.txt'));
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    expect(read(t.ws.root, 'completed', 'boss').result).toMatchObject({
      outcome: 'success',
      summary: 'supervised worker-for-boss',
    });
    expect(read(t.ws.root, 'completed', 'worker-for-boss')).toMatchObject({
      description: 'worker for boss',
      parent: 'boss',
      result: { outcome: 'success' },
    });
    expect(readFileSync(join(t.ws.root, 'child.txt'), 'utf8')).toBe('from-child\n');
    expect(cli(t.ws.root, ['show', 'boss']).stdout).toContain('# children\nworker-for-boss  completed (success)');
    expect(JSON.parse(cli(t.ws.root, ['show', 'boss', '--json']).stdout).children).toEqual([
      { id: 'worker-for-boss', state: 'completed', outcome: 'success' },
    ]);
    expect(JSON.parse(cli(t.ws.root, ['tasks', '--json']).stdout)).toContainEqual(
      expect.objectContaining({ id: 'worker-for-boss', parent: 'boss' }),
    );
  });

  it("wait exits 1 when the child fails, so the parent's script can fail with it", async () => {
    t.ws = makeWorkspace();
    dropTask(t.ws.root, 'boss', supervisor('exit 3'));
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    expect(read(t.ws.root, 'failed', 'worker-for-boss')).toMatchObject({
      parent: 'boss',
      result: { outcome: 'failed' },
    });
    expect(read(t.ws.root, 'failed', 'boss').attempts).toEqual([
      expect.objectContaining({ outcome: 'failed', exit_code: 8 }),
    ]);
  });

  it('add --file and plan take --parent too; an unknown parent is a usage error', () => {
    t.ws = makeWorkspace();
    dropTask(t.ws.root, 'boss', 'description: boss\n');
    writeFileSync(join(t.ws.root, 'job.yaml'), '# mine\ndescription: a job');
    expect(cli(t.ws.root, ['add', '--parent', 'boss', '--file', join(t.ws.root, 'job.yaml')]).stdout).toBe('job\n');
    expect(readFileSync(join(t.ws.root, 'tasks/pending/job.yaml'), 'utf8')).toBe(
      '# mine\ndescription: a job\nparent: boss\n',
    );
    writeFileSync(
      join(t.ws.root, 'fan.yaml'),
      'tasks:\n  - { name: a, description: A }\n  - { name: b, description: B, parent: other }\n',
    );
    expect(cli(t.ws.root, ['plan', '--parent', 'boss', join(t.ws.root, 'fan.yaml')]).stdout).toBe('fan.a\nfan.b\n');
    expect([read(t.ws.root, 'pending', 'fan.a').parent, read(t.ws.root, 'pending', 'fan.b').parent]).toEqual([
      'boss',
      'other',
    ]);
    expect(cli(t.ws.root, ['show', 'boss']).stdout).toContain('# children\njob  pending\nfan.a  pending');
    expect(cli(t.ws.root, ['add', '--parent', 'ghost', 'orphan'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--parent: no task "ghost"'),
    });
  });
});

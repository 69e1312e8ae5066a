import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  cli,
  dropTask,
  FAST_DAEMON,
  inProcessDaemon,
  makeWorkspace,
  waitFor,
  daemonTest,
} from '../helpers/workspace.js';

const t = daemonTest();

const task = (state: string, id: string) => parse(readFileSync(join(t.ws.root, 'tasks', state, `${id}.yaml`), 'utf8'));
const config = (stall: string) =>
  `max_concurrent: 2\nagents:\n  shell: { preset: shell, max_instances: 2, ${stall} }\ndefaults: { agent: shell, max_retries: 1, retry_delay: 100ms }\n${FAST_DAEMON}`;

describe('stalled agents', () => {
  it('stall_action cancel stops an agent that stays silent, and says why', async () => {
    t.ws = makeWorkspace(config('stall_timeout: 400ms, stall_action: cancel'));
    dropTask(t.ws.root, 'quiet', 'description: quiet\ncommand: echo started; sleep 30\n');
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    const failed = task('failed', 'quiet');
    expect(failed.attempts).toHaveLength(1);
    expect(failed.result).toMatchObject({
      outcome: 'cancelled',
      error: expect.stringMatching(
        /^stalled: no output for \S+ \(stall_timeout [^)]+\); stopped \(stall_action: cancel\)$/,
      ),
    });
  });

  it('stall_action retry stops it and retries, using up a retry', async () => {
    t.ws = makeWorkspace(config('stall_timeout: 400ms, stall_action: retry'));
    dropTask(
      t.ws.root,
      'second-time',
      'description: x\ncommand: test "$ORCHESTRATE_ATTEMPT" -ge 2 && echo done || sleep 30\n',
    );
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    const done = task('completed', 'second-time');
    expect(done.attempts.map((attempt: { outcome: string }) => attempt.outcome)).toEqual(['failed', 'success']);
    expect(done.attempts[0].error).toMatch(/^stalled: no output for .*stopped to retry \(stall_action: retry\)$/);
  });

  it('stall_action warn leaves it running; status shows it stalled while an agent that writes is not', async () => {
    t.ws = makeWorkspace(config('stall_timeout: 400ms'));
    dropTask(t.ws.root, 'silent', 'description: x\ncommand: sleep 3\n');
    dropTask(
      t.ws.root,
      'chatty',
      'description: x\ncommand: for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo $i; sleep 0.2; done\n',
    );
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    const stalled = await waitFor('status to show the silent agent stalled', () => {
      const report = JSON.parse(cli(t.ws.root, ['status', '--json']).stdout);
      const silent = report.running.find((row: { id: string }) => row.id === 'silent');
      return silent?.stalled_ms !== undefined ? report : undefined;
    });
    expect(stalled.running.find((row: { id: string }) => row.id === 'chatty')?.stalled_ms).toBeUndefined();
    expect(cli(t.ws.root, ['status']).stdout).toMatch(/silent .*stalled \(no output for \d/);
    await t.daemon.done;
    expect(task('completed', 'silent').result).toMatchObject({ outcome: 'success' });
  });
});

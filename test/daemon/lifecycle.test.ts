import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  cli,
  dropTask,
  FAST_DAEMON,
  idsIn,
  inProcessDaemon,
  makeWorkspace,
  waitFor,
  daemonTest,
} from '../helpers/workspace.js';

const t = daemonTest();

const task = (root: string, state: string, id: string) =>
  parse(readFileSync(join(root, 'tasks', state, `${id}.yaml`), 'utf8'));
const config = (extra = '', agents = '  shell: { preset: shell, max_instances: 4 }\n', max = 4) =>
  `max_concurrent: ${max}\nagents:\n${agents}defaults: { agent: shell, retry_delay: 200ms, max_retries: 1 }\n${FAST_DAEMON}${extra}`;

describe('the daemon lifecycle', () => {
  it('runs the highest priority first, then the oldest', async () => {
    t.ws = makeWorkspace(config('', '  shell: { preset: shell, max_instances: 1 }\n', 1));
    const log = join(t.ws.root, 'order.log');
    const add = (id: string, priority: string, created: string) =>
      dropTask(
        t.ws.root,
        id,
        `description: ${id}\ncommand: echo ${id} >> ${log}\npriority: ${priority}\ncreated_at: ${created}\n`,
      );
    // Minutes old, not months: older than defaults.priority_aging (30m), a task would rise a level.
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    add('low-old', 'low', ago(4));
    add('normal-new', 'normal', ago(2));
    add('normal-old', 'normal', ago(3));
    add('high-new', 'high', ago(1));
    // All four are settled files before the daemon looks, so none is ready earlier than another.
    const past = new Date(Date.now() - 60_000);
    for (const id of ['low-old', 'normal-new', 'normal-old', 'high-new'])
      utimesSync(join(t.ws.root, 'tasks/pending', `${id}.yaml`), past, past);
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['high-new', 'normal-old', 'normal-new', 'low-old']);
  });

  it('names slots within max_instances, even when a slot is refilled before the last run is recorded', async () => {
    t.ws = makeWorkspace(config('', '  shell: { preset: shell, max_instances: 2 }\n', 2));
    const ids = Array.from({ length: 12 }, (_, i) => `quick-${i}`);
    for (const id of ids) dropTask(t.ws.root, id, 'description: quick\ncommand: "true"\n');
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    const slots = new Set(ids.map((id) => task(t.ws.root, 'completed', id).attempts[0].agent));
    expect([...slots].sort()).toEqual(['shell#1', 'shell#2']);
  });

  it('retries a failure after its backoff and records every attempt', async () => {
    t.ws = makeWorkspace(config());
    dropTask(
      t.ws.root,
      'flaky',
      '# my comment\ndescription: flaky\ncommand: test "$ORCHESTRATE_ATTEMPT" -ge 2 || { echo boom >&2; exit 4; }\n',
    );
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    const done = task(t.ws.root, 'completed', 'flaky');
    expect(done.attempts).toHaveLength(2);
    expect(done.attempts[0]).toMatchObject({
      number: 1,
      outcome: 'failed',
      exit_code: 4,
      error: 'exit 4: boom',
      agent: 'shell#1',
    });
    expect(done.attempts[1]).toMatchObject({ number: 2, outcome: 'success', exit_code: 0 });
    expect(Date.parse(done.attempts[1].started_at) - Date.parse(done.attempts[0].ended_at)).toBeGreaterThanOrEqual(150);
    expect(done.retry_after).toBeUndefined();
    expect(done.result).toMatchObject({ outcome: 'success' });
    expect(
      readFileSync(join(t.ws.root, 'tasks/completed/flaky.yaml'), 'utf8').startsWith(
        '# my comment\ndescription: flaky\n',
      ),
    ).toBe(true);
  });

  it('fails after the last retry, with the reason', async () => {
    t.ws = makeWorkspace(config());
    dropTask(t.ws.root, 'broken', 'description: broken\ncommand: exit 9\n');
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    const failed = task(t.ws.root, 'failed', 'broken');
    expect(failed.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['failed', 'failed']);
    expect(failed.result).toMatchObject({ outcome: 'failed', error: 'the agent exited with code 9' });
  });

  it('times out a task, stopping its agent', async () => {
    t.ws = makeWorkspace(config());
    dropTask(t.ws.root, 'slow', 'description: slow\ncommand: sleep 30\ntimeout: 500ms\nmax_retries: 0\n');
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    expect(task(t.ws.root, 'failed', 'slow').result).toMatchObject({
      outcome: 'timeout',
      error: expect.stringContaining('timed out'),
    });
  });

  it("uses an agent's timeout when the task sets none", async () => {
    t.ws = makeWorkspace(config('', '  shell: { preset: shell, max_instances: 2, timeout: 400ms }\n'));
    dropTask(t.ws.root, 'agent-timeout', 'description: slow\ncommand: sleep 30\nmax_retries: 0\n');
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    expect(task(t.ws.root, 'failed', 'agent-timeout').result).toMatchObject({ outcome: 'timeout' });
  });

  it('runs dependencies in order and fails dependants of a failed task', async () => {
    t.ws = makeWorkspace(config());
    dropTask(t.ws.root, 'second', 'description: second\ncommand: test -f first.done\ndepends_on: [first]\n');
    dropTask(t.ws.root, 'first', 'description: first\ncommand: sleep 0.3 && touch first.done\n');
    dropTask(t.ws.root, 'doomed', 'description: doomed\ncommand: exit 1\nmax_retries: 0\n');
    dropTask(t.ws.root, 'after-doomed', 'description: after\ndepends_on: doomed\n');
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    expect(idsIn(t.ws.root, 'completed')).toEqual(['first', 'second']);
    expect(task(t.ws.root, 'failed', 'after-doomed').result).toMatchObject({
      outcome: 'failed',
      error: 'dependency doomed failed',
    });
  });

  it('passes prompts as argv, never through a shell, and gives agents their environment', async () => {
    t.ws = makeWorkspace(
      config(
        '',
        `  shell: { preset: shell, max_instances: 1 }\n  echo: { command: ["sh", "-c", "printf '%s|%s|%s|%s' \\"$1\\" \\"$ORCHESTRATE_TASK_ID\\" \\"$MODE\\" \\"$(pwd)\\"", "agent", "{prompt}"], env: { MODE: tested }, cwd: sub }\n`,
      ),
    );
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(t.ws.root, 'sub'));
    writeFileSync(
      join(t.ws.root, 'tasks/pending/inject.yaml'),
      'description: "$(touch pwned) `touch pwned2`; touch pwned3"\nagent: echo\n',
    );
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    const output = readFileSync(join(t.ws.root, 'context/agent_outputs/inject.md'), 'utf8');
    const [prompt, id, mode, cwd] = output.split('|');
    expect(prompt).toContain('$(touch pwned) `touch pwned2`; touch pwned3');
    expect({ id, mode, cwd }).toEqual({ id: 'inject', mode: 'tested', cwd: join(t.ws.root, 'sub') });
    for (const name of ['pwned', 'pwned2', 'pwned3']) expect(existsSync(join(t.ws.root, 'sub', name))).toBe(false);
  });

  it('records a missing agent binary as a spawn_error that says what to do', async () => {
    t.ws = makeWorkspace(
      config('', '  shell: { preset: shell }\n  ghost: { command: ["no-such-agent-cli", "{prompt}"] }\n'),
    );
    dropTask(t.ws.root, 'ghosted', 'description: x\nagent: ghost\n');
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    const failed = task(t.ws.root, 'failed', 'ghosted');
    expect(failed.attempts).toHaveLength(1);
    expect(failed.result).toMatchObject({
      outcome: 'spawn_error',
      error: expect.stringContaining('command not found: no-such-agent-cli'),
    });
  });

  it('finds an agent program missing again once it is removed after runs that found it', async () => {
    t.ws = makeWorkspace(config('', '  shell: { preset: shell }\n  local: { command: ["./agent.sh"] }\n'));
    const { root } = t.ws;
    writeFileSync(join(root, 'agent.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
    dropTask(root, 'found', 'description: x\nagent: local\n');
    t.daemon = inProcessDaemon(root);
    await waitFor('the first run', () => idsIn(root, 'completed').includes('found'));
    rmSync(join(root, 'agent.sh'));
    dropTask(root, 'gone', 'description: x\nagent: local\nmax_retries: 0\n');
    await waitFor('the second run to fail', () => idsIn(root, 'failed').includes('gone'));
    expect(task(root, 'failed', 'gone').result).toMatchObject({
      outcome: 'spawn_error',
      error: expect.stringContaining('command not found: ./agent.sh'),
    });
  });

  it('reloads a changed config and keeps the last good one when the new one is invalid', async () => {
    t.ws = makeWorkspace(config());
    t.daemon = inProcessDaemon(t.ws.root);
    await waitFor('the daemon', () => existsSync(join(t.ws.root, '.orchestrate/daemon.json')));
    writeFileSync(join(t.ws.root, 'orchestrator.yaml'), 'max_concurrent: zero\n');
    await new Promise((resolve) => setTimeout(resolve, 400));
    cli(t.ws.root, ['add', '--id', 'still-works', 'echo ok']);
    await waitFor('a task under the old config', () => idsIn(t.ws.root, 'completed').includes('still-works'));
    writeFileSync(
      join(t.ws.root, 'orchestrator.yaml'),
      config('', '  shell: { preset: shell }\n  extra: { preset: shell }\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    dropTask(t.ws.root, 'uses-extra', 'description: echo extra\nagent: extra\n');
    await waitFor('a task for the new agent', () => idsIn(t.ws.root, 'completed').includes('uses-extra'));
  });

  it('regenerates context/current_state.md and completed_tasks.json', async () => {
    t.ws = makeWorkspace(config());
    dropTask(t.ws.root, 'one', 'description: echo one\n');
    dropTask(t.ws.root, 'two', 'description: exit 3\nmax_retries: 0\n');
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    const records = JSON.parse(readFileSync(join(t.ws.root, 'context/completed_tasks.json'), 'utf8'));
    expect(records.map((r: { id: string; outcome: string }) => [r.id, r.outcome]).sort()).toEqual([
      ['one', 'success'],
      ['two', 'failed'],
    ]);
    const state = readFileSync(join(t.ws.root, 'context/current_state.md'), 'utf8');
    expect(state).toContain('completed 1 · failed 1');
    expect(state).toContain('**one**');
  });
});

// Scheduling through the real daemon and CLI: after, when, cycles and unknown ids, roles, aging,
// `--agents`, and what `status` says about each waiting task.
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runDaemon } from '../../src/index.js';
import { cliAsync } from '../helpers/faults.js';
import {
  cli,
  daemonTest,
  dropTask,
  FAST_DAEMON,
  FIXTURES,
  idsIn,
  inProcessDaemon,
  makeWorkspace,
  waitFor,
} from '../helpers/workspace.js';

const t = daemonTest();

const task = (root: string, state: string, id: string) =>
  parse(readFileSync(join(root, 'tasks', state, `${id}.yaml`), 'utf8'));
const config = (agents = '  shell: { preset: shell, max_instances: 4 }\n', max = 4, defaults = 'agent: shell, ') =>
  `max_concurrent: ${max}\nagents:\n${agents}defaults: { ${defaults}retry_delay: 100ms, max_retries: 0 }\n${FAST_DAEMON}`;
const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : []);

interface StatusJson {
  waiting: {
    source: string;
    rows: { id: string; reason: { kind: string; [key: string]: unknown }; text: string }[];
    slots?: Record<string, number>;
  };
  slots: { agent: string; running: number; max: number }[];
}
const status = async (root: string): Promise<StatusJson> =>
  JSON.parse((await cliAsync(root, ['status', '--json'])).stdout) as StatusJson;
const reasonOf = (report: StatusJson, id: string) => report.waiting.rows.find((row) => row.id === id);

describe('scheduling in the daemon', () => {
  it('runs after-tasks whatever the outcome, when-failed tasks only on a failure, and skips them otherwise', async () => {
    t.ws = makeWorkspace(config());
    const { root } = t.ws;
    const log = join(root, 'ran.log');
    const run = (id: string, extra: string, command = `echo ${id} >> ${log}`) =>
      dropTask(root, id, `description: ${id}\ncommand: ${command}\n${extra}`);
    run('tests', '', `echo tests >> ${log}; exit 3`);
    run('build', '');
    run('cleanup', 'after: [tests, build]\n');
    run('fix', 'when: { failed: tests }\n');
    run('celebrate', 'when: { failed: build }\n');
    run('ship', 'depends_on: [celebrate]\n');
    t.daemon = inProcessDaemon(root, { untilIdle: true });
    await t.daemon.done;
    expect(idsIn(root, 'failed')).toEqual(['tests']);
    expect(idsIn(root, 'completed')).toEqual(['build', 'celebrate', 'cleanup', 'fix', 'ship']);
    expect(lines(log).sort()).toEqual(['build', 'cleanup', 'fix', 'ship', 'tests']);
    const skipped = task(root, 'completed', 'celebrate');
    expect(skipped.result).toEqual({
      outcome: 'skipped',
      summary: 'skipped: build completed, and this task runs only if it fails (when: { failed: build })',
    });
    expect(skipped.attempts).toBeUndefined();
    const order = lines(log);
    expect(order.indexOf('cleanup')).toBeGreaterThan(Math.max(order.indexOf('tests'), order.indexOf('build')));
  });

  it('keeps a dependency cycle and a task naming an unknown id waiting, reported, while others run', async () => {
    t.ws = makeWorkspace(config());
    const { root } = t.ws;
    dropTask(root, 'cycle-a', 'description: a\ncommand: "true"\ndepends_on: [cycle-b]\n');
    dropTask(root, 'cycle-b', 'description: b\ncommand: "true"\nafter: [cycle-a]\n');
    dropTask(root, 'orphan', 'description: o\ncommand: "true"\ndepends_on: [not-yet]\n');
    dropTask(root, 'bystander', 'description: b\ncommand: "true"\n');
    const logged: string[] = [];
    const logger = {
      warn: (_: unknown, line: string) => logged.push(line),
      info: () => undefined,
      error: () => undefined,
      debug: () => undefined,
    } as unknown as Parameters<typeof runDaemon>[0]['logger'];
    const controller = new AbortController();
    const done = runDaemon({ root, signal: controller.signal, logger });
    t.daemon = {
      stop: async () => {
        controller.abort();
        await done;
      },
      done,
    };
    await waitFor('the bystander to complete', () => idsIn(root, 'completed').includes('bystander'));
    await waitFor(
      'the cycle and the unknown id to be reported',
      () => logged.filter((line) => /cycle|unknown task/.test(line)).length >= 3,
    );
    expect(logged).toContain(
      'tasks/pending/cycle-a.yaml: depends_on: dependency cycle cycle-a -> cycle-b -> cycle-a; it waits in pending/ (remove one of these dependencies)',
    );
    expect(logged).toContain(
      'tasks/pending/cycle-b.yaml: after: dependency cycle cycle-a -> cycle-b -> cycle-a; it waits in pending/ (remove one of these dependencies)',
    );
    expect(logged).toContain(
      'tasks/pending/orphan.yaml: depends_on: unknown task "not-yet"; it waits in pending/ until a task with that id is submitted (fix the id if it is a typo)',
    );
    const report = await status(root);
    expect(report.waiting.source).toBe('daemon');
    expect(reasonOf(report, 'cycle-a')?.reason).toEqual({ kind: 'cycle', cycle: 'cycle-a -> cycle-b -> cycle-a' });
    expect(reasonOf(report, 'orphan')?.text).toBe(
      'waits for unknown task not-yet (no such id yet: submit it, or fix the id)',
    );
    expect(idsIn(root, 'pending')).toEqual(['cycle-a', 'cycle-b', 'orphan']);
    // The missing task arrives: the waiting one runs after it.
    dropTask(root, 'not-yet', 'description: n\ncommand: "true"\n');
    await waitFor('the orphan to run once its dependency exists and completed', () =>
      idsIn(root, 'completed').includes('orphan'),
    );
  });

  it('says in status why each pending task waits: dependency, lock and its holder, slot; and after a cancel the lock is free', async () => {
    t.ws = makeWorkspace(config('  shell: { preset: shell, max_instances: 2 }\n', 3));
    const { root } = t.ws;
    t.daemon = inProcessDaemon(root);
    dropTask(root, 'holder', 'description: h\ncommand: sleep 30\nlocks: ["db/**"]\n');
    dropTask(root, 'busy', 'description: b\ncommand: sleep 30\n');
    await waitFor('both to run', () => idsIn(root, 'assigned').length === 2);
    dropTask(root, 'needs-db', 'description: n\ncommand: "true"\nlocks: [db/users]\n');
    dropTask(root, 'later', 'description: l\ncommand: "true"\ndepends_on: [needs-db]\n');
    dropTask(root, 'queued', 'description: q\ncommand: "true"\n');
    await waitFor('the three to be read', async () =>
      (await status(root)).waiting.rows.every(
        (row) => row.reason.kind !== 'settling' && row.reason.kind !== 'starting',
      ),
    );
    const report = await status(root);
    expect(reasonOf(report, 'needs-db')?.reason).toEqual({ kind: 'lock', lock: 'db/**', heldBy: 'holder' });
    expect(reasonOf(report, 'later')?.reason).toEqual({ kind: 'dependency', ids: ['needs-db'] });
    expect(reasonOf(report, 'queued')?.reason).toEqual({ kind: 'slot', agents: ['shell'] });
    const human = (await cliAsync(root, ['status'])).stdout;
    expect(human).toContain('waits for lock db/** held by holder');
    expect(existsSync(join(root, '.orchestrate/locks/holder.held'))).toBe(true);
    expect((await cliAsync(root, ['cancel', 'holder'])).code).toBe(0);
    await waitFor('needs-db and later to complete', () =>
      ['needs-db', 'later'].every((id) => idsIn(root, 'completed').includes(id)),
    );
    expect(existsSync(join(root, '.orchestrate/locks/holder.held'))).toBe(false);
  });

  it('says from the task files what it can when no daemon runs', async () => {
    t.ws = makeWorkspace(config());
    const { root } = t.ws;
    dropTask(root, 'first', 'description: f\n');
    dropTask(root, 'second', 'description: s\ndepends_on: [first]\n');
    dropTask(root, 'fix', 'description: x\nwhen: { failed: second }\n');
    dropTask(root, 'typo', 'description: t\nafter: [frist]\n');
    const report = JSON.parse(cli(root, ['status', '--json']).stdout) as StatusJson;
    expect(report.waiting.source).toBe('files');
    expect(Object.fromEntries(report.waiting.rows.map((row) => [row.id, row.reason]))).toEqual({
      first: { kind: 'ready' },
      fix: { kind: 'dependency', ids: ['second'] },
      second: { kind: 'dependency', ids: ['first'] },
      typo: { kind: 'unknown', ids: ['frist'] },
    });
    expect(cli(root, ['status']).stdout).toMatch(/\ntypo +waits for unknown task frist/);
  });

  it('gives a role to an agent configured for it, ages old low-priority work above new high, and holds --agents slots', async () => {
    const agents =
      '  shell: { preset: shell, max_instances: 3 }\n  tester: { preset: shell, max_instances: 3, roles: [tests] }\n';
    t.ws = makeWorkspace(config(agents, 3, ''));
    const { root } = t.ws;
    const log = join(root, 'order.log');
    const hourAgo = new Date(Date.now() - 61 * 60_000).toISOString();
    dropTask(
      root,
      'old-low',
      `description: o\ncommand: echo old-low >> ${log}\npriority: low\ncreated_at: ${hourAgo}\nagent: shell\n`,
    );
    dropTask(root, 'new-high', `description: n\ncommand: echo new-high >> ${log}\npriority: high\nagent: shell\n`);
    dropTask(root, 'unit', `description: u\ncommand: echo unit >> ${log}\nrole: tests\n`);
    // Settled files before the daemon looks, so both shell tasks are ready in its first pass.
    const past = new Date(Date.now() - 60_000);
    for (const id of ['old-low', 'new-high', 'unit']) utimesSync(join(root, 'tasks/pending', `${id}.yaml`), past, past);
    const controller = new AbortController();
    const done = runDaemon({ root, signal: controller.signal, agentSlots: { shell: 1, tester: 0 } });
    t.daemon = {
      stop: async () => {
        controller.abort();
        await done;
      },
      done,
    };
    await waitFor('the shell tasks to complete', () =>
      ['old-low', 'new-high'].every((id) => idsIn(root, 'completed').includes(id)),
    );
    expect(lines(log)).toEqual(['old-low', 'new-high']);
    const report = await status(root);
    expect(reasonOf(report, 'unit')?.reason).toEqual({ kind: 'slot', agents: ['tester'], heldBack: ['tester'] });
    expect(reasonOf(report, 'unit')?.text).toBe(
      'waits: tester is held back in this run (--agents tester:0); restart the daemon with a slot for it',
    );
    expect(report.slots).toEqual([
      { agent: 'shell', running: 0, max: 1 },
      { agent: 'tester', running: 0, max: 0 },
    ]);
    await t.daemon.stop();
    // Only the 0-slot agent's task is left, which nothing can start: --until-idle does not wait for it.
    await runDaemon({ root, untilIdle: true, agentSlots: { tester: 0 } });
    expect(idsIn(root, 'pending')).toEqual(['unit']);
    t.daemon = inProcessDaemon(root, { untilIdle: true });
    await t.daemon.done;
    expect(task(root, 'completed', 'unit').attempts[0].agent).toBe('tester#1');
  });

  it('start --agents a:2,b:2 makes a and b the pool: four tasks added without --agent run two on each, all four at once', async () => {
    t.ws = makeWorkspace(config());
    const { root } = t.ws;
    // Each agent waits until four have started: the tasks end only if all four ran at once.
    const log = join(root, 'ran.log');
    const gate = (name: string) =>
      `  ${name}: { command: ${JSON.stringify([join(FIXTURES, 'gate-agent.sh'), name, log, '4'])}, max_instances: 1 }\n`;
    writeFileSync(
      join(root, 'orchestrator.yaml'),
      config(`  shell: { preset: shell, max_instances: 4 }\n${gate('a')}${gate('b')}`),
    );
    expect(cli(root, ['start', '--agents', 'a:2,b:2']).code).toBe(0);
    t.daemon = { stop: async () => void cli(root, ['stop', '--kill-agents']), done: Promise.resolve() };
    // status and agents show this run's slots and pool, not the config's max_instances.
    expect(cli(root, ['status']).stdout).toContain("agents: shell 0/4 · a 0/2 · b 0/2 (this run's pool: a, b)");
    expect(cli(root, ['agents']).stdout).toMatch(/\na +0\/2 /);
    const ids = ['one', 'two', 'three', 'four'].map((word) => cli(root, ['add', `task ${word}`]).stdout.trim());
    await waitFor('the four tasks to end', () => idsIn(root, 'completed').length + idsIn(root, 'failed').length === 4);
    expect(idsIn(root, 'completed')).toEqual([...ids].sort());
    const ran = lines(log)
      .map((line) => line.split(' ')[0])
      .sort();
    expect(ran).toEqual(['a', 'a', 'b', 'b']);
    const slots = ids.map((id) => task(root, 'completed', id).attempts[0].agent).sort();
    expect(slots).toEqual(['a#1', 'a#2', 'b#1', 'b#2']);
  });

  it('refuses bad --agents, --after and --when-failed values as usage errors, in one line', () => {
    t.ws = makeWorkspace(config());
    const { root } = t.ws;
    const start = cli(root, ['start', '--agents', 'shel:2']);
    expect([start.code, start.stderr]).toEqual([
      2,
      'orchestrate: --agents: unknown agent "shel" (did you mean "shell"? agents in orchestrator.yaml: shell)\n',
    ]);
    const run = cli(root, ['run', '--agents', 'shell:lots']);
    expect([run.code, run.stderr]).toEqual([
      2,
      'orchestrate: --agents: "shell:lots" is not NAME:SLOTS (for example claude:2,codex:1)\n',
    ]);
    const after = cli(root, ['add', 'x', '--after', 'ok,not ok']);
    expect([after.code, after.stderr]).toEqual([
      2,
      'orchestrate: --after: "not ok" is not a task id (letters, digits, ".", "_", "-"; several ids separated by commas)\n',
    ]);
    const added = cli(root, ['add', 'tidy up', '--after', 'build,lint', '--when-failed', 'tests']);
    expect(added.code).toBe(0);
    expect(task(root, 'pending', 'tidy-up')).toMatchObject({ after: ['build', 'lint'], when: { failed: 'tests' } });
  });
});

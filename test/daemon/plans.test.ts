import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { daemonTest, dropSettled, dropTask, idsIn, inProcessDaemon, makeWorkspace } from '../helpers/workspace.js';

const t = daemonTest();

// Each task logs its start and end, so the order they ran in can be checked.
const step = (log: string, name: string) => `command: echo start-${name} >> ${log}; echo end-${name} >> ${log}`;

function releasePlan(log: string, deploy = 'depends_on: [test, lint]'): string {
  return [
    '# a release, as a plan',
    'defaults: { priority: high }',
    'tasks:',
    '  - name: build',
    '    description: Build it',
    `    ${step(log, 'build')}`,
    '  - name: test',
    '    description: Test it',
    `    ${step(log, 'test')}`,
    '    depends_on: [build]',
    '  - name: lint',
    '    description: Lint it',
    `    ${step(log, 'lint')}`,
    '    depends_on: build',
    '  - name: deploy',
    '    description: Ship it',
    `    ${step(log, 'deploy')}`,
    `    ${deploy}`,
    '',
  ].join('\n');
}

describe('plans dropped into tasks/pending/', () => {
  it('expand into one task per entry and run in dependency order; the plan file moves to tasks/plans/', async () => {
    t.ws = makeWorkspace();
    const log = join(t.ws.root, 'order.log');
    const plan = releasePlan(log);
    dropTask(t.ws.root, 'release', plan);
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    expect(idsIn(t.ws.root, 'completed')).toEqual(['release.build', 'release.deploy', 'release.lint', 'release.test']);
    expect(idsIn(t.ws.root, 'pending')).toEqual([]);
    expect(idsIn(t.ws.root, 'failed')).toEqual([]);
    expect(readFileSync(join(t.ws.root, 'tasks/plans/release.yaml'), 'utf8')).toBe(plan);
    expect(readdirSync(join(t.ws.root, 'tasks/plans'))).toEqual(['release.yaml']);
    const order = readFileSync(log, 'utf8').trim().split('\n');
    const at = (line: string) => order.indexOf(line);
    expect(at('end-build')).toBeLessThan(at('start-test'));
    expect(at('end-build')).toBeLessThan(at('start-lint'));
    expect(at('end-test')).toBeLessThan(at('start-deploy'));
    expect(at('end-lint')).toBeLessThan(at('start-deploy'));
    const deploy = parse(readFileSync(join(t.ws.root, 'tasks/completed/release.deploy.yaml'), 'utf8'));
    expect(deploy).toMatchObject({
      description: 'Ship it',
      depends_on: ['release.test', 'release.lint'],
      priority: 'high',
      result: { outcome: 'success' },
    });
  });

  it('sets a plan with errors aside in failed/ with its .error, naming entry and field, and creates no task', async () => {
    t.ws = makeWorkspace();
    const plan = releasePlan(join(t.ws.root, 'order.log'), 'depends_on: [tset]');
    dropSettled(t.ws.root, 'release', plan);
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    expect(idsIn(t.ws.root, 'failed')).toEqual(['release']);
    expect(readFileSync(join(t.ws.root, 'tasks/failed/release.yaml'), 'utf8')).toBe(plan);
    const error = readFileSync(join(t.ws.root, 'tasks/failed/release.error'), 'utf8');
    expect(error).toContain('release.yaml: tasks[3].depends_on: unknown name "tset" (did you mean "test"?)');
    expect(error).toContain('tasks/pending/release.yaml: tasks[3].depends_on');
    expect(error).toMatch(/Fix it, then move it back: cd \S+ && mv -i tasks\/failed\/release\.yaml tasks\/pending\//);
    expect(idsIn(t.ws.root, 'pending')).toEqual([]);
    expect(idsIn(t.ws.root, 'completed')).toEqual([]);
    expect(existsSync(join(t.ws.root, 'order.log'))).toBe(false);
  });

  it('publishes all or none: a plan naming an id already used anywhere creates no task', async () => {
    t.ws = makeWorkspace();
    const done = 'description: an old test run\nresult: { outcome: success }\n';
    writeFileSync(join(t.ws.root, 'tasks/completed/release.test.yaml'), done);
    dropSettled(t.ws.root, 'release', releasePlan(join(t.ws.root, 'order.log')));
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    expect(idsIn(t.ws.root, 'failed')).toEqual(['release']);
    expect(readFileSync(join(t.ws.root, 'tasks/failed/release.error'), 'utf8')).toContain(
      'tasks[1].name: the id "release.test" is already used by tasks/completed/release.test.yaml',
    );
    expect(idsIn(t.ws.root, 'pending')).toEqual([]);
    expect(readFileSync(join(t.ws.root, 'tasks/completed/release.test.yaml'), 'utf8')).toBe(done);
    expect(existsSync(join(t.ws.root, 'tasks/plans/release.yaml'))).toBe(false);
  });
});

// A publication cut short by a crash, made by hand: the staging folder of plan "release" owned by a
// process that has exited, holding staged task files, some already linked into pending/.
function crashedPublication(root: string, plan: string, options: { committed: boolean }): void {
  const staging = join(root, 'tasks/plans/.release.staging');
  mkdirSync(staging, { recursive: true });
  const dead = spawnSync('true').pid;
  writeFileSync(join(staging, 'owner'), `${dead} 1\n`);
  writeFileSync(join(staging, 'release.build.yaml'), 'description: Build it\ncommand: echo build >> staged.log\n');
  writeFileSync(
    join(staging, 'release.test.yaml'),
    'description: Test it\ncommand: echo test >> staged.log\ndepends_on: [release.build]\n',
  );
  linkSync(join(staging, 'release.build.yaml'), join(root, 'tasks/pending/release.build.yaml'));
  dropTask(root, 'release', plan);
  linkSync(join(root, 'tasks/pending/release.yaml'), join(staging, 'plan.yaml'));
  writeFileSync(join(staging, 'source'), 'release');
  if (options.committed) {
    linkSync(join(staging, 'release.test.yaml'), join(root, 'tasks/pending/release.test.yaml'));
    linkSync(join(staging, 'plan.yaml'), join(root, 'tasks/plans/release.yaml'));
    writeFileSync(join(staging, 'committed'), '');
  }
}

describe('a plan publication cut short by a crash', () => {
  it('is rolled back before any of its tasks runs, and the plan in pending/ is expanded afresh', async () => {
    t.ws = makeWorkspace();
    mkdirSync(join(t.ws.root, 'tasks/plans'));
    const log = join(t.ws.root, 'order.log');
    crashedPublication(t.ws.root, releasePlan(log), { committed: false });
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    expect(idsIn(t.ws.root, 'completed')).toEqual(['release.build', 'release.deploy', 'release.lint', 'release.test']);
    // The half-published task never ran: the fresh expansion's did.
    expect(existsSync(join(t.ws.root, 'staged.log'))).toBe(false);
    expect(readFileSync(log, 'utf8')).toContain('end-build');
    expect(readdirSync(join(t.ws.root, 'tasks/plans'))).toEqual(['release.yaml']);
  });

  it('is finished when it had committed: the tasks run once, the plan file leaves pending/', async () => {
    t.ws = makeWorkspace();
    mkdirSync(join(t.ws.root, 'tasks/plans'));
    crashedPublication(t.ws.root, releasePlan(join(t.ws.root, 'order.log')), { committed: true });
    t.daemon = inProcessDaemon(t.ws.root, { untilIdle: true });
    await t.daemon.done;
    expect(idsIn(t.ws.root, 'completed')).toEqual(['release.build', 'release.test']);
    expect(idsIn(t.ws.root, 'failed')).toEqual([]);
    expect(readFileSync(join(t.ws.root, 'staged.log'), 'utf8')).toBe('build\ntest\n');
    expect(readdirSync(join(t.ws.root, 'tasks/plans'))).toEqual(['release.yaml']);
  });
});

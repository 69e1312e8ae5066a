import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderTaskText } from '../../src/core/task-text.js';
import { readTaskFile } from '../../src/queue/task-file.js';
import { cli, idsIn, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
afterEach(() => ws.cleanup());

const PLAN = `# nightly checks
name: nightly
defaults: { agent: shell, priority: low }
tasks:
  - name: build
    description: Build it
    command: make
  - name: test
    description: |
      Run the tests
      and report
    depends_on: [build]
    priority: high
  - name: lint
    description: Lint it
    after: build
  - name: report
    description: Report
    depends_on: [test, lint]
  - name: alert
    description: Tell someone
    when: { failed: report }
`;

function writePlan(text = PLAN, name = 'checks.yaml'): string {
  const path = join(ws.root, name);
  writeFileSync(path, text);
  return path;
}

describe('orchestrate plan', () => {
  it('--dry-run prints the waves the plan would run in and writes nothing', () => {
    ws = makeWorkspace();
    const result = cli(ws.root, ['plan', '--dry-run', writePlan()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'plan nightly: 5 tasks in 4 waves (dry run: nothing written)',
        'wave 1',
        '  nightly.build   agent shell; priority low',
        'wave 2',
        '  nightly.test    needs nightly.build; agent shell; priority high',
        '  nightly.lint    after nightly.build; agent shell; priority low',
        'wave 3',
        '  nightly.report  needs nightly.test, nightly.lint; agent shell; priority low',
        'wave 4',
        '  nightly.alert   if nightly.report failed; agent shell; priority low',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(cli(ws.root, ['plan', '-n', '--json', writePlan()]).stdout)).toEqual({
      plan: 'nightly',
      record: null,
      waves: [['nightly.build'], ['nightly.test', 'nightly.lint'], ['nightly.report'], ['nightly.alert']],
    });
    expect(idsIn(ws.root, 'pending')).toEqual([]);
    expect(existsSync(join(ws.root, 'tasks/plans'))).toBe(false);
  });

  it('submits every task of the plan, prints their ids and records the plan in tasks/plans/', () => {
    ws = makeWorkspace();
    const result = cli(ws.root, ['plan', writePlan()]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('nightly.build\nnightly.test\nnightly.lint\nnightly.report\nnightly.alert\n');
    expect(idsIn(ws.root, 'pending')).toEqual([
      'nightly.alert',
      'nightly.build',
      'nightly.lint',
      'nightly.report',
      'nightly.test',
    ]);
    const test = readFileSync(join(ws.root, 'tasks/pending/nightly.test.yaml'), 'utf8');
    expect(test).toMatch(
      /^description: \|\n {2}Run the tests\n {2}and report\ndepends_on:\n {2}- nightly\.build\npriority: high\nagent: shell\ncreated_at: \S+\n$/,
    );
    expect(parse(readFileSync(join(ws.root, 'tasks/pending/nightly.alert.yaml'), 'utf8'))).toMatchObject({
      when: { failed: 'nightly.report' },
    });
    expect(readdirSync(join(ws.root, 'tasks/plans'))).toEqual(['nightly.yaml']);
    expect(readFileSync(join(ws.root, 'tasks/plans/nightly.yaml'), 'utf8')).toBe(PLAN);
  });

  it('writes its task files with the one renderer add uses: values YAML would misread stay strings', () => {
    ws = makeWorkspace();
    const plan = [
      'name: odd',
      'tasks:',
      '  - name: a',
      '    description: "yes"',
      '  - name: b',
      "    description: '1e3'",
      '    command: "- x #y"',
      '    depends_on: [a]',
      '  - name: c',
      '    description: "null"',
      '    locks: ["0x10", "~"]',
      '',
    ].join('\n');
    expect(cli(ws.root, ['plan', writePlan(plan, 'odd.yaml')]).code).toBe(0);
    const expected: Record<string, Record<string, unknown>> = {
      'odd.a': { description: 'yes' },
      'odd.b': { description: '1e3', command: '- x #y', depends_on: ['odd.a'] },
      'odd.c': { description: 'null', locks: ['0x10', '~'] },
    };
    for (const [id, fields] of Object.entries(expected)) {
      const text = readFileSync(join(ws.root, 'tasks/pending', `${id}.yaml`), 'utf8');
      const read = readTaskFile(join(ws.root, 'tasks/pending', `${id}.yaml`), id);
      expect(read.kind === 'task' && read.task.fields).toMatchObject(fields);
      expect(text).toBe(renderTaskText({ ...fields, created_at: parse(text).created_at }));
    }
  });

  it('is all or none: when one id is already used, nothing is written and the line says which', () => {
    ws = makeWorkspace();
    writeFileSync(join(ws.root, 'tasks/failed/nightly.lint.yaml'), 'description: an old lint\n');
    const result = cli(ws.root, ['plan', writePlan()]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'checks.yaml: tasks[2].name: the id "nightly.lint" is already used by tasks/failed/nightly.lint.yaml (rename this task, or the plan with `name:`)',
    );
    expect(idsIn(ws.root, 'pending')).toEqual([]);
    expect(existsSync(join(ws.root, 'tasks/plans/nightly.yaml'))).toBe(false);
  });

  it('refuses a bad plan with one line per problem, naming entry and field', () => {
    ws = makeWorkspace();
    const bad = PLAN.replace('depends_on: [test, lint]', 'depends_on: [tset, lint]').replace(
      'after: build',
      'after: lint',
    );
    const result = cli(ws.root, ['plan', writePlan(bad)]);
    expect(result.code).toBe(1);
    const file = join(ws.root, 'checks.yaml');
    expect(result.stderr).toBe(
      `${file}: tasks[2].after: dependency cycle lint -> lint (remove one of these dependencies)\n` +
        `${file}: tasks[3].depends_on: unknown name "tset" (did you mean "test"?)\n`,
    );
    expect(idsIn(ws.root, 'pending')).toEqual([]);
  });

  it('says when a file is not a plan, and add --file says when one is', () => {
    ws = makeWorkspace();
    const task = writePlan('description: just one task\n', 'one.yaml');
    expect(cli(ws.root, ['plan', task])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('is not a plan: a plan has a top-level `tasks:` list'),
    });
    expect(cli(ws.root, ['add', '--file', writePlan()])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('is a plan (it has a top-level `tasks:` list); submit it with `orchestrate plan'),
    });
    expect(cli(ws.root, ['plan', '--parent', 'nobody', writePlan()])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--parent: no task "nobody"'),
    });
  });
});

// `add` and `plan` never make an id that differs only in case from one in use: on macOS and
// Windows the two would be one file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, idsIn, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
afterEach(() => ws.cleanup());

const place = (state: string, id: string) =>
  writeFileSync(join(ws.root, 'tasks', state, `${id}.yaml`), 'description: there first\n');

describe('ids that differ only in case', () => {
  it('add --id refuses one, naming the other file; a generated id skips it', () => {
    ws = makeWorkspace();
    place('completed', 'fix-login');
    expect(cli(ws.root, ['add', '--id', 'Fix-Login', 'log in'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'orchestrate: the id "Fix-Login" differs only in case from tasks/completed/fix-login.yaml: on macOS and Windows the two are one file; choose another --id\n',
    });
    expect(idsIn(ws.root, 'pending')).toEqual([]);

    place('failed', 'Report-Bug');
    expect(cli(ws.root, ['add', 'Report bug'])).toMatchObject({ code: 0, stdout: 'report-bug-2\n' });
  });

  it('plan refuses names that differ only in case, and ids that do from an existing task', () => {
    ws = makeWorkspace();
    place('pending', 'Nightly.build');
    writeFileSync(
      join(ws.root, 'nightly.yaml'),
      'tasks:\n  - name: build\n    description: B\n  - name: test\n    description: T\n  - name: Test\n    description: again\n',
    );
    const submitted = cli(ws.root, ['plan', 'nightly.yaml']);
    expect(submitted.code).toBe(1);
    expect(submitted.stderr.trimEnd().split('\n')).toEqual([
      'nightly.yaml: tasks[0].name: the id "nightly.build" differs only in case from tasks/pending/Nightly.build.yaml: on macOS and Windows the two are one file (rename this task, or the plan with `name:`)',
      'nightly.yaml: tasks[2].name: "Test" differs only in case from "test", the name of tasks[1]: on macOS and Windows their task files are one (use another name)',
    ]);
    expect(idsIn(ws.root, 'pending')).toEqual(['Nightly.build']);
  });
});

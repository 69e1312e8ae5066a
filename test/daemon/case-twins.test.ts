// Ids that differ only in case are one file on macOS and Windows: the daemon refuses the newcomer
// in pending/ as it refuses a re-used id (set aside byte for byte, one line naming both files, a
// hint that brings it back under an id free in any case), and carries on.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { errorFile, pasteHint } from '../helpers/hints.js';
import {
  daemonTest,
  dropSettled,
  dropTask,
  idsIn,
  inProcessDaemon,
  makeWorkspace,
  waitFor,
} from '../helpers/workspace.js';

const t = daemonTest();
const at = (state: string, id: string) => join(t.ws.root, 'tasks', state, `${id}.yaml`);
// Set aside: the .error file is written after the move.
const setAside = (id: string) => existsSync(errorFile(t.ws.root, id));
const errorOf = (id: string) => readFileSync(errorFile(t.ws.root, id), 'utf8');

describe('task ids that differ only in case', () => {
  it('sets aside a newcomer whose id another folder holds in another case; its hint brings it back under a free id', async () => {
    t.ws = makeWorkspace();
    t.daemon = inProcessDaemon(t.ws.root);
    dropTask(t.ws.root, 'Fix-Login', 'description: the first\ncommand: "true"\n');
    dropTask(t.ws.root, 'FIX-LOGIN-2', 'description: takes the next id\ncommand: "true"\n');
    await waitFor(
      'both to complete',
      () => existsSync(at('completed', 'Fix-Login')) && idsIn(t.ws.root, 'completed').length === 2,
    );

    const mine = '# mine\ndescription: the second\ncommand: "true"\n';
    dropTask(t.ws.root, 'fix-login', mine);
    await waitFor('the newcomer to be set aside', () => setAside('fix-login.duplicate-1'));
    expect(errorOf('fix-login.duplicate-1').split('\n')[0]).toBe(
      'tasks/pending/fix-login.yaml: the id "fix-login" differs only in case from tasks/completed/Fix-Login.yaml: on macOS and Windows the two are one file (rename this file to a new id)',
    );
    expect(readFileSync(at('failed', 'fix-login.duplicate-1'), 'utf8')).toBe(mine);
    expect(pasteHint(t.ws.root, 'fix-login.duplicate-1', 'Move it back under a free id')).toBe(
      'mv -i tasks/failed/fix-login.duplicate-1.yaml tasks/pending/fix-login-3.yaml',
    );
    await waitFor('it to run under its new id', () => existsSync(at('completed', 'fix-login-3')));
    expect(readFileSync(at('completed', 'fix-login-3'), 'utf8').startsWith(mine)).toBe(true);
  });

  it('files an invalid newcomer with such an id under a new name too, never beside its twin', async () => {
    t.ws = makeWorkspace();
    t.daemon = inProcessDaemon(t.ws.root);
    dropTask(t.ws.root, 'report', 'description: done\ncommand: "true"\n');
    await waitFor('report to complete', () => existsSync(at('completed', 'report')));
    dropSettled(t.ws.root, 'Report', 'description: [unclosed\n');
    await waitFor('the invalid twin to be set aside', () => setAside('Report.duplicate-1'));
    expect(existsSync(at('failed', 'Report'))).toBe(false);
    expect(pasteHint(t.ws.root, 'Report.duplicate-1', 'Fix it, then move it back')).toBe(
      'mv -i tasks/failed/Report.duplicate-1.yaml tasks/pending/Report-2.yaml',
    );
  });

  it('of two in pending/, sets aside the one that arrived last, at start-up as at run time', async () => {
    t.ws = makeWorkspace();
    // Both there before the daemon starts: the older file stays.
    dropTask(t.ws.root, 'Build', 'description: first\ncommand: "true"\n');
    await sleep(50);
    dropTask(t.ws.root, 'build', 'description: second\ncommand: "true"\n');
    t.daemon = inProcessDaemon(t.ws.root);
    await waitFor('Build to complete', () => existsSync(at('completed', 'Build')));
    await waitFor('build to be set aside', () => setAside('build.duplicate-1'));
    // Build may have run by then: its file is wherever it is now.
    expect(errorOf('build.duplicate-1')).toMatch(
      /differs only in case from tasks\/(pending|assigned|completed)\/Build\.yaml/,
    );

    // At run time: the later one yields (waits is held back by a dependency, so both are in pending/).
    dropTask(t.ws.root, 'waits', 'description: waits\ndepends_on: [never-submitted]\n');
    await sleep(50);
    dropTask(t.ws.root, 'WAITS', 'description: later\ncommand: "true"\n');
    await waitFor('WAITS to be set aside', () => setAside('WAITS.duplicate-1'));
    expect(idsIn(t.ws.root, 'pending')).toEqual(['waits']);
  });

  it('sets aside a twin of a file read since the last rescan, before the next rescan comes', async () => {
    // No rescan in between: the pending file read since the last listing is all the daemon has to go on.
    t.ws = makeWorkspace(
      'agents:\n  shell: { preset: shell, max_instances: 2 }\ndefaults: { agent: shell }\ndaemon: { rescan_interval: 1h, stable_window: 50ms }\n',
    );
    t.daemon = inProcessDaemon(t.ws.root);
    await sleep(300);
    dropTask(t.ws.root, 'held', 'description: held\ndepends_on: [never-submitted]\n');
    await sleep(500);
    dropTask(t.ws.root, 'HELD', 'description: later\ncommand: "true"\n');
    await waitFor('HELD to be set aside', () => setAside('HELD.duplicate-1'));
    expect(idsIn(t.ws.root, 'pending')).toEqual(['held']);
  });
});

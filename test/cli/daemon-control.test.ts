// start, stop, run --until-idle and --version end, and say what happened, with the right exit code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, idsIn, makeWorkspace, REPO, waitFor, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
afterEach(() => {
  cli(ws.root, ['stop', '--kill-agents']);
  ws.cleanup();
});

describe('start and stop, twice', () => {
  it('a second start says the daemon already runs (exit 0); a second stop says none runs (exit 0)', () => {
    ws = makeWorkspace();
    const started = cli(ws.root, ['start']);
    const pid = Number(/pid (\d+)/.exec(started.stdout)![1]);
    expect(cli(ws.root, ['start'])).toEqual({ code: 0, stdout: `already running (pid ${pid})\n`, stderr: '' });
    expect(cli(ws.root, ['stop'])).toMatchObject({ code: 0, stdout: `daemon stopped (pid ${pid})\n` });
    expect(cli(ws.root, ['stop'])).toEqual({ code: 0, stdout: 'no daemon is running\n', stderr: '' });
  });

  it('stop says which agents keep running, and stop --kill-agents which it stopped', async () => {
    ws = makeWorkspace();
    let pid = Number(/pid (\d+)/.exec(cli(ws.root, ['start']).stdout)![1]);
    cli(ws.root, ['add', '--id', 'long', '--command', 'sleep 30', 'runs long']);
    await waitFor('long to run', () => idsIn(ws.root, 'assigned').includes('long'));
    expect(cli(ws.root, ['stop'])).toMatchObject({
      code: 0,
      stdout: `daemon stopped (pid ${pid}); 1 agent keeps running (long): the next daemon adopts it\n`,
    });
    // At once: the agent the last daemon left is this one's to stop, even before it has looked.
    pid = Number(/pid (\d+)/.exec(cli(ws.root, ['start']).stdout)![1]);
    expect(cli(ws.root, ['stop', '--kill-agents'])).toMatchObject({
      code: 0,
      stdout: `daemon stopped (pid ${pid}); stopped 1 agent (long); its task is back in pending/\n`,
    });
    expect(idsIn(ws.root, 'pending')).toEqual(['long']);
    pid = Number(/pid (\d+)/.exec(cli(ws.root, ['start']).stdout)![1]);
    cli(ws.root, ['cancel', 'long']);
    expect(cli(ws.root, ['stop', '--kill-agents'])).toMatchObject({
      code: 0,
      stdout: `daemon stopped (pid ${pid}); no agents were running\n`,
    });
  });

  it('stop --kill-agents with no daemon and no agents says both', () => {
    ws = makeWorkspace();
    expect(cli(ws.root, ['stop', '--kill-agents'])).toEqual({
      code: 0,
      stdout: 'no daemon is running; no agents were running\n',
      stderr: '',
    });
  });
});

describe('--version', () => {
  it('prints the version of package.json, as --version and -V', () => {
    ws = makeWorkspace();
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(cli(ws.root, ['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(cli(ws.root, ['-V'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

describe('run --until-idle', () => {
  it('exits 0 when everything ran', () => {
    ws = makeWorkspace();
    cli(ws.root, ['add', '--id', 'quick', '--command', 'true', 'quick']);
    expect(cli(ws.root, ['run', '--until-idle', '--log-format', 'json']).code).toBe(0);
    expect(idsIn(ws.root, 'completed')).toEqual(['quick']);
  });

  it('exits 1 when pending tasks can never start, one line each saying why', () => {
    ws = makeWorkspace();
    cli(ws.root, ['add', '--id', 'quick', '--command', 'true', 'quick']);
    cli(ws.root, ['add', '--id', 'orphan', '--depends-on', 'nothing-here', 'waits for a task nobody submitted']);
    cli(ws.root, ['add', '--id', 'loop-a', '--depends-on', 'loop-b', 'a']);
    cli(ws.root, ['add', '--id', 'loop-b', '--depends-on', 'loop-a', 'b']);
    const run = cli(ws.root, ['run', '--until-idle', '--log-format', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')).toEqual([
      'stopped idle with 3 pending tasks that cannot start:',
      '  loop-a: waits on a dependency cycle loop-a -> loop-b -> loop-a (remove one of these dependencies)',
      '  loop-b: waits on a dependency cycle loop-a -> loop-b -> loop-a (remove one of these dependencies)',
      '  orphan: waits for unknown task nothing-here (no such id yet: submit it, or fix the id)',
      '',
    ]);
    expect(idsIn(ws.root, 'completed')).toEqual(['quick']);
  });
});

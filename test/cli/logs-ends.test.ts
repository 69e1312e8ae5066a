// `orchestrate logs` of a task that ended without running returns at once and says why.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, cli, FAST_DAEMON, idsIn, makeWorkspace, waitFor, type Workspace } from '../helpers/workspace.js';
import { cliAsync } from '../helpers/faults.js';

let ws: Workspace;
afterEach(() => {
  cli(ws.root, ['stop', '--kill-agents']);
  ws.cleanup();
});

const CONFIG = `agents:\n  shell: { preset: shell, max_instances: 2 }\n  absent: { command: no-such-agent-cli, max_instances: 1 }\ndefaults: { agent: shell, retry_delay: 100ms, max_retries: 0 }\n${FAST_DAEMON}`;

describe('orchestrate logs of a task that never ran', () => {
  it('a failed dependency: exit 1, saying which', async () => {
    ws = makeWorkspace(CONFIG);
    cli(ws.root, ['start']);
    cli(ws.root, ['add', '--id', 'dep', '--command', 'exit 3', 'fails']);
    cli(ws.root, ['add', '--id', 'after-dep', '--depends-on', 'dep', '--command', 'echo never', 'never runs']);
    await waitFor('after-dep to fail', () => idsIn(ws.root, 'failed').includes('after-dep'));
    for (const args of [
      ['logs', '-f', 'after-dep'],
      ['logs', 'after-dep'],
    ]) {
      expect(cli(ws.root, args)).toEqual({
        code: 1,
        stdout: '',
        stderr: 'orchestrate: after-dep did not run: dependency dep failed\n',
      });
    }
  });

  it('a skipped task (its when-condition did not hold): exit 0, saying why', async () => {
    ws = makeWorkspace(CONFIG);
    cli(ws.root, ['start']);
    cli(ws.root, ['add', '--id', 'fine', '--command', 'true', 'works']);
    cli(ws.root, ['add', '--id', 'fallback', '--when-failed', 'fine', '--command', 'echo never', 'only on failure']);
    await waitFor('fallback to be skipped', () => idsIn(ws.root, 'completed').includes('fallback'));
    const followed = cli(ws.root, ['logs', '-f', 'fallback']);
    expect(followed).toMatchObject({ code: 0, stdout: '' });
    expect(followed.stderr).toMatch(
      /^fallback did not run: skipped: fine completed, and this task runs only if it fails/,
    );
  });

  it('a task cancelled while pending: exit 1', () => {
    ws = makeWorkspace(CONFIG);
    cli(ws.root, ['add', '--id', 'early', 'cancelled early']);
    cli(ws.root, ['cancel', 'early']);
    expect(cli(ws.root, ['logs', '-f', 'early'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'orchestrate: early did not run: cancelled before it started\n',
    });
  });

  it('a spawn error: prints the error, exit 1', async () => {
    ws = makeWorkspace(CONFIG);
    cli(ws.root, ['start']);
    cli(ws.root, ['add', '--id', 'no-cli', '--agent', 'absent', 'needs a missing CLI']);
    await waitFor('no-cli to fail', () => idsIn(ws.root, 'failed').includes('no-cli'));
    for (const args of [
      ['logs', '-f', 'no-cli'],
      ['logs', 'no-cli'],
    ]) {
      const result = cli(ws.root, args);
      expect(result).toMatchObject({ code: 1, stdout: '' });
      expect(result.stderr).toMatch(
        /^orchestrate: no-cli could not start: command not found: no-such-agent-cli \(install it, or fix agents\.absent in orchestrator\.yaml\)\n$/,
      );
    }
  });

  it('-f on a pending task returns when it ends without running', async () => {
    ws = makeWorkspace(CONFIG);
    cli(ws.root, ['add', '--id', 'dep', '--command', 'exit 3', 'fails']);
    cli(ws.root, ['add', '--id', 'waiter', '--depends-on', 'dep', '--command', 'echo never', 'waits']);
    const following = cliAsync(ws.root, ['logs', '-f', 'waiter']);
    cli(ws.root, ['start']);
    const followed = await following;
    expect(followed).toMatchObject({ code: 1, stdout: '' });
    // While it waits it says why (no daemon at first, then its dependency), then how it ended.
    expect(followed.stderr).toMatch(
      /^-- waiter is pending: no daemon is running \(start one with `orchestrate start`\) --\n(-- waiter is pending: .* --\n)*orchestrate: waiter did not run: dependency dep failed\n$/,
    );
  });

  it('-f on a pending task that then runs prints its output', async () => {
    ws = makeWorkspace(CONFIG);
    cli(ws.root, ['add', '--id', 'later', '--command', 'echo ran', 'runs later']);
    const following = cliAsync(ws.root, ['logs', '-f', 'later']);
    cli(ws.root, ['start']);
    const followed = await following;
    expect(followed).toMatchObject({ code: 0, stdout: 'ran\n' });
    expect(followed.stderr).toMatch(/^(-- later is pending: .* --\n)*$/);
  });

  it('-f follows a task through its retries until it ends', async () => {
    ws = makeWorkspace(CONFIG);
    const retried = 'if [ -f tried ]; then echo second; else touch tried; echo first; sleep 1; exit 1; fi';
    cli(ws.root, ['add', '--id', 'retried', '--max-retries', '1', '--command', retried, 'fails once']);
    const following = cliAsync(ws.root, ['logs', '-f', 'retried']);
    cli(ws.root, ['start']);
    const followed = await following;
    expect(followed).toMatchObject({ code: 0, stdout: 'first\nsecond\n' });
    // The wait in pending/ is said when it was seen (the retry delay is short here); the next attempt always.
    expect(followed.stderr).toMatch(
      /^(-- retried is pending: .* --\n)*(-- retried: attempt 1 ended; it is back in pending\/ and will run again --\n)?-- retried: attempt 1 ended; attempt 2 follows --\n$/,
    );
    expect(cli(ws.root, ['logs', 'retried'])).toMatchObject({ code: 0, stdout: 'second\n' });
  });

  it('-f of a task that fails ends with its error and exit 1; without -f the output alone, exit 0', async () => {
    ws = makeWorkspace(CONFIG);
    cli(ws.root, ['start']);
    cli(ws.root, ['add', '--id', 'broke', '--command', 'echo trying; exit 3', 'fails']);
    expect(cli(ws.root, ['logs', '-f', 'broke'])).toEqual({
      code: 1,
      stdout: 'trying\n',
      stderr: 'orchestrate: broke failed: the agent exited with code 3\n',
    });
    expect(cli(ws.root, ['logs', 'broke'])).toEqual({ code: 0, stdout: 'trying\n', stderr: '' });
  });

  it('-f of a task that can never start says why it waits, once', async () => {
    ws = makeWorkspace(CONFIG);
    cli(ws.root, ['start']);
    cli(ws.root, ['add', '--id', 'stuck', '--depends-on', 'ghost', 'waits for a task nobody submits']);
    const child = spawn(process.execPath, [BIN, '-C', ws.root, 'logs', '-f', 'stuck'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('the reason', () => stderr.includes('\n'));
    await sleep(1000);
    child.kill();
    expect(stderr).toBe(
      '-- stuck is pending: waits for unknown task ghost (no such id yet: submit it, or fix the id) --\n',
    );
  });

  it('shows an output of megabytes whole, read a piece at a time', async () => {
    ws = makeWorkspace(CONFIG);
    cli(ws.root, ['start']);
    cli(ws.root, ['add', '--id', 'big', '--command', "head -c 5000000 /dev/zero | tr '\\0' x; echo", 'prints 5 MB']);
    await waitFor('big to complete', () => idsIn(ws.root, 'completed').includes('big'), 30_000);
    const shown = spawnSync(process.execPath, [BIN, '-C', ws.root, 'logs', 'big'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(shown.status).toBe(0);
    expect(shown.stdout.length).toBe(5_000_001);
    expect(/^x+\n$/.test(shown.stdout)).toBe(true);
  });
});

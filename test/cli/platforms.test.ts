// On native Windows the commands that run the daemon or check a setup say, in one line and before
// anything else, to run orchestrate under WSL2 (the real CLI, told it runs on Windows by a preload).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unsupportedPlatform } from '../../src/core/platform.js';
import { cli, FIXTURES, makeWorkspace, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
afterEach(() => ws.cleanup());

const ON_WINDOWS = { NODE_OPTIONS: `--require ${join(FIXTURES, 'pretend-windows.cjs')}` };

describe('native Windows', () => {
  it('start, run and doctor refuse with one line naming WSL2 (exit 1)', () => {
    ws = makeWorkspace();
    for (const command of [['start'], ['run', '--until-idle'], ['doctor']])
      expect(cli(ws.root, command, { env: ON_WINDOWS })).toEqual({
        code: 1,
        stdout: '',
        stderr: `orchestrate: ${unsupportedPlatform('win32')}\n`,
      });
  });
});

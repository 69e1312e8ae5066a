import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { shellCommand } from '../../src/core/shell-quote.js';

export const errorFile = (dir: string, id: string) => join(dir, 'tasks/failed', `${id}.error`);

// The hint line of failed/<id>.error, pasted into /bin/sh from another folder as a person would; returns
// the command after its `cd <workspace> && `.
export function pasteHint(dir: string, id: string, lead: string): string {
  const last = readFileSync(errorFile(dir, id), 'utf8').trimEnd().split('\n').at(-1)!;
  expect(last.startsWith(`${lead}: `), last).toBe(true);
  const command = last.slice(lead.length + 2);
  // Pasted from another folder: the hint goes to the workspace itself.
  const pasted = spawnSync('/bin/sh', ['-c', command], {
    cwd: tmpdir(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(pasted.status, pasted.stderr).toBe(0);
  const cd = `${shellCommand(['cd', dir])} && `;
  expect(command.startsWith(cd), command).toBe(true);
  return command.slice(cd.length);
}

// A task file the daemon sets aside gets failed/<id>.error, whose last line is a command that puts
// it back. These tests paste that command into /bin/sh, in a workspace whose path has a space, and
// check it does what it says: the person's bytes come back to pending/ under an id that runs.
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureWorkspace, layoutOf } from '../../src/index.js';
import { errorFile, pasteHint } from '../helpers/hints.js';
import { dropTask, FAST_DAEMON, inProcessDaemon, waitFor } from '../helpers/workspace.js';

let root: string | undefined;
let daemon: ReturnType<typeof inProcessDaemon> | undefined;
afterEach(async () => {
  await daemon?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
  daemon = root = undefined;
});

function spacedWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), "orchestrate hint's $HOME "));
  writeFileSync(
    join(dir, 'orchestrator.yaml'),
    `max_concurrent: 2\nagents:\n  shell: { preset: shell, max_instances: 2 }\ndefaults: { agent: shell, retry_delay: 100ms }\n${FAST_DAEMON}`,
  );
  ensureWorkspace(layoutOf(dir));
  return dir;
}

// A settled file: bad input is set aside at once, not after the grace for files still being written.
function dropSettled(dir: string, id: string, text: string): void {
  dropTask(dir, id, text);
  const past = new Date(Date.now() - 60_000);
  utimesSync(join(dir, 'tasks/pending', `${id}.yaml`), past, past);
}

const completed = (dir: string, id: string) => join(dir, 'tasks/completed', `${id}.yaml`);

describe('the move-back hint of a set-aside task', () => {
  it('moves a re-used id back under a new id that is free in every folder, bytes untouched', async () => {
    root = spacedWorkspace();
    const dir = root;
    daemon = inProcessDaemon(dir);
    dropTask(dir, 'dup', 'description: the first\ncommand: "true"\n');
    await waitFor('the first to complete', () => existsSync(completed(dir, 'dup')));
    // dup-2 is taken too, so the hint must skip it.
    dropTask(dir, 'dup-2', 'description: another task\ncommand: "true"\n');
    await waitFor('dup-2 to complete', () => existsSync(completed(dir, 'dup-2')));
    const second = '# mine, not the first\ndescription: the second\ncommand: "true"\n';
    dropTask(dir, 'dup', second);
    await waitFor('the re-used id to be set aside', () => existsSync(errorFile(dir, 'dup.duplicate-1')));

    // The problem is named from the workspace folder too, wherever the daemon runs.
    expect(readFileSync(errorFile(dir, 'dup.duplicate-1'), 'utf8')).toMatch(
      /^tasks\/pending\/dup\.yaml: the id "dup" is already used by tasks\/completed\/dup\.yaml/,
    );
    const command = pasteHint(dir, 'dup.duplicate-1', 'Move it back under a free id');
    expect(command).toBe('mv -i tasks/failed/dup.duplicate-1.yaml tasks/pending/dup-3.yaml');
    await waitFor('the moved-back task to complete', () => existsSync(completed(dir, 'dup-3')));
    expect(readFileSync(completed(dir, 'dup-3'), 'utf8').startsWith(second)).toBe(true);
    expect(existsSync(join(dir, 'tasks/failed/dup.duplicate-1.yaml'))).toBe(false);
  });

  it('quotes a file name the shell would split or expand, and brings it back under a valid id', async () => {
    root = spacedWorkspace();
    const dir = root;
    daemon = inProcessDaemon(dir);
    const name = "it's a $HOME & *";
    const bytes = 'description: a file name that is not an id\ncommand: "true"\n';
    dropSettled(dir, name, bytes);
    await waitFor('the bad name to be set aside', () => existsSync(errorFile(dir, name)));

    const command = pasteHint(dir, name, 'Fix it, then move it back');
    expect(command).toBe(`mv -i 'tasks/failed/it'\\''s a $HOME & *.yaml' tasks/pending/it-s-a-home.yaml`);
    await waitFor('the renamed task to complete', () => existsSync(completed(dir, 'it-s-a-home')));
    expect(readFileSync(completed(dir, 'it-s-a-home'), 'utf8').startsWith(bytes)).toBe(true);
  });

  it('moves a fixed file back under its own id', async () => {
    root = spacedWorkspace();
    const dir = root;
    daemon = inProcessDaemon(dir);
    dropSettled(dir, 'typo', 'descripton: misspelt\ncommand: "true"\n');
    await waitFor('the invalid file to be set aside', () => existsSync(errorFile(dir, 'typo')));
    writeFileSync(join(dir, 'tasks/failed/typo.yaml'), 'description: fixed\ncommand: "true"\n');

    expect(pasteHint(dir, 'typo', 'Fix it, then move it back')).toBe('mv -i tasks/failed/typo.yaml tasks/pending/');
    await waitFor('the fixed task to complete', () => existsSync(completed(dir, 'typo')));
  });

  it('files an invalid newcomer whose id another folder holds under a new name, so the id stays in one place', async () => {
    root = spacedWorkspace();
    const dir = root;
    daemon = inProcessDaemon(dir);
    dropTask(dir, 'two', 'description: the first half\ncommand: "true"\n');
    await waitFor('the first to complete', () => existsSync(completed(dir, 'two')));
    dropSettled(dir, 'two', 'priority: low\n# the second half, appended after the first was read\n');
    await waitFor('the newcomer to be set aside', () => existsSync(errorFile(dir, 'two.duplicate-1')));
    expect(existsSync(join(dir, 'tasks/failed/two.yaml'))).toBe(false);
    writeFileSync(join(dir, 'tasks/failed/two.duplicate-1.yaml'), 'description: fixed\ncommand: "true"\n');
    expect(pasteHint(dir, 'two.duplicate-1', 'Fix it, then move it back')).toBe(
      'mv -i tasks/failed/two.duplicate-1.yaml tasks/pending/two-2.yaml',
    );
    await waitFor('the fixed task to complete', () => existsSync(completed(dir, 'two-2')));
  });
});

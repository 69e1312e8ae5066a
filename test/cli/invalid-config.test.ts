// An orchestrator.yaml made invalid while a daemon runs: add still submits (the daemon runs its last
// good config) and warns; status and doctor say the daemon runs an older config than the one on disk.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, idsIn, makeWorkspace, waitFor, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
afterEach(() => {
  cli(ws.root, ['stop', '--kill-agents']);
  ws.cleanup();
});

const WARNING =
  'warning: orchestrator.yaml is invalid (max_concurrent: must be a whole number, 1 or more, not the text "four"); the daemon keeps running its last good config\n';

function breakConfig(root: string): void {
  const path = join(root, 'orchestrator.yaml');
  writeFileSync(path, readFileSync(path, 'utf8').replace('max_concurrent: 4', 'max_concurrent: four'));
}

describe('an invalid orchestrator.yaml under a running daemon', () => {
  it('add submits, checks --agent against the config the daemon runs, and warns', async () => {
    ws = makeWorkspace();
    const started = cli(ws.root, ['start']);
    const pid = Number(/pid (\d+)/.exec(started.stdout)![1]);
    breakConfig(ws.root);
    expect(
      cli(ws.root, ['add', '--id', 'still-runs', '--command', 'echo ran', 'submitted under a broken config']),
    ).toEqual({ code: 0, stdout: 'still-runs\n', stderr: WARNING });
    await waitFor('the task to complete', () => idsIn(ws.root, 'completed').includes('still-runs'));
    expect(cli(ws.root, ['add', '--id', 'named', '--agent', 'shell', '--command', 'true', 'names its agent'])).toEqual({
      code: 0,
      stdout: 'named\n',
      stderr: WARNING,
    });
    expect(cli(ws.root, ['add', '--agent', 'shel', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('did you mean "shell"'),
    });

    const status = cli(ws.root, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      `config: orchestrator.yaml is invalid (max_concurrent: must be a whole number, 1 or more, not the text "four"); the daemon (pid ${pid}) keeps running its last good config (see \`orchestrate doctor\`)`,
    );
    expect(JSON.parse(cli(ws.root, ['status', '--json']).stdout).config).toEqual({
      ok: false,
      problems: ['max_concurrent: must be a whole number, 1 or more, not the text "four"'],
    });
    const doctor = cli(ws.root, ['doctor'], { env: { PATH: '/usr/bin:/bin' } });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain(
      `  problem  orchestrator.yaml: max_concurrent: must be a whole number, 1 or more, not the text "four"\n  note     the daemon (pid ${pid}) keeps running its last good config until this is fixed`,
    );
  });

  it('with no daemon, add submits without checking --agent, and says so', () => {
    ws = makeWorkspace();
    breakConfig(ws.root);
    const added = cli(ws.root, ['add', '--id', 'unchecked', '--agent', 'shell', 'x']);
    expect(added.code).toBe(0);
    expect(added.stdout).toBe('unchecked\n');
    expect(added.stderr).toContain(
      'warning: orchestrator.yaml is invalid (max_concurrent: must be a whole number, 1 or more, not the text "four"); --agent shell was not checked\n',
    );
    expect(cli(ws.root, ['status']).stdout).toContain(
      'config: orchestrator.yaml is invalid (max_concurrent: must be a whole number, 1 or more, not the text "four"); `orchestrate start` refuses it (see `orchestrate doctor`)',
    );
  });

  it('status and doctor judge the file as the daemon does: a variable the daemon lacks makes it invalid there', async () => {
    ws = makeWorkspace();
    expect(cli(ws.root, ['start']).code).toBe(0);
    const path = join(ws.root, 'orchestrator.yaml');
    writeFileSync(
      path,
      readFileSync(path, 'utf8').replace(
        'shell: { preset: shell, max_instances: 4 }',
        'shell: { preset: shell, max_instances: 4, env: { KEY: "${ONLY_HERE}" } }',
      ),
    );
    // This shell has the variable; the daemon does not.
    const env = { ONLY_HERE: 'set' };
    const status = await waitFor('status to see the problem', () => {
      const out = cli(ws.root, ['status'], { env }).stdout;
      return out.includes('config: ') ? out : false;
    });
    expect(status).toMatch(
      /config: orchestrator\.yaml is invalid \(agents\.shell\.env\.KEY: ONLY_HERE is not set.*; the daemon \(pid \d+\) keeps running its last good config/,
    );
    const doctor = cli(ws.root, ['doctor', '--json'], { env });
    expect(JSON.parse(doctor.stdout)).toMatchObject({
      ok: false,
      configProblems: [expect.stringMatching(/^orchestrator\.yaml: agents\.shell\.env\.KEY: ONLY_HERE is not set/)],
      daemonOnOldConfig: expect.any(Number),
    });
  });
});

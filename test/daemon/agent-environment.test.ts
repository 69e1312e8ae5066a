import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  cli,
  dropTask,
  FAST_DAEMON,
  FIXTURES,
  idsIn,
  makeWorkspace,
  spawnDaemon,
  waitFor,
  waitReady,
  type DaemonProcess,
  type Workspace,
} from '../helpers/workspace.js';

// A fake claude that prints its environment, in a folder no PATH of these tests names.
const OFF_PATH = join(FIXTURES, 'off-path');
const FAKE_CLAUDE = join(OFF_PATH, 'claude');
// The daemons of these tests run with only the system's tools on their PATH.
const PATH = '/usr/bin:/bin';

let ws: Workspace;
let daemon: DaemonProcess | undefined;
afterEach(async () => {
  if (daemon) {
    cli(ws.root, ['stop']);
    await daemon.exited;
    daemon = undefined;
  }
  ws.cleanup();
});

const config = (settings: string) =>
  `agents:\n  claude: { preset: claude, ${settings} }\ndefaults: { agent: claude, max_retries: 0 }\n${FAST_DAEMON}`;
const taskIn = (state: string, id: string) => parse(readFileSync(join(ws.root, 'tasks', state, `${id}.yaml`), 'utf8'));

// The environment the fake agent printed (to its stderr) in a task's first attempt.
function agentEnvironment(id: string, root = ws.root): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const line of readFileSync(join(root, '.orchestrate/runs', id, '1', 'stderr'), 'utf8').split('\n')) {
    const variable = /^([A-Za-z_]\w*)=(.*)$/.exec(line);
    if (variable) environment[variable[1]!] = variable[2]!;
  }
  return environment;
}

describe("agents' programs and environment", () => {
  it('runs a preset whose CLI is on no PATH through bin:', () => {
    expect(spawnSync('/bin/sh', ['-c', 'command -v claude'], { env: { PATH } }).status).not.toBe(0);
    ws = makeWorkspace(config(`bin: ${FAKE_CLAUDE}`));
    dropTask(ws.root, 'hello', 'description: say hello\n');
    const run = cli(ws.root, ['run', '--until-idle'], { env: { PATH } });
    expect(run.code).toBe(0);
    expect(taskIn('completed', 'hello').result).toMatchObject({
      outcome: 'success',
      summary: 'printed my environment',
    });
  });

  it('fills ${VAR}, $VAR and ${VAR:-default} in env: and bin: from the daemon environment', () => {
    ws = makeWorkspace(
      config(
        'bin: "${FAKE_CLIS}/claude", env: { ANTHROPIC_API_KEY: "${TEAM_KEY}", PATH: "/opt/tools:$PATH", GREETING: "hello ${WHO:-world}", PRICE: "5 $$" }',
      ),
    );
    dropTask(ws.root, 'vars', 'description: print the environment\n');
    const run = cli(ws.root, ['run', '--until-idle'], {
      env: { PATH, FAKE_CLIS: OFF_PATH, TEAM_KEY: 'sk-team', WHO: '' },
    });
    expect(run.code).toBe(0);
    expect(agentEnvironment('vars')).toMatchObject({
      ANTHROPIC_API_KEY: 'sk-team',
      PATH: `/opt/tools:${PATH}`,
      GREETING: 'hello world',
      PRICE: '5 $',
      TEAM_KEY: 'sk-team',
      ORCHESTRATE_ROOT: ws.root,
    });
  });

  it("gives every agent the variables of the workspace's .env, which init keeps out of git; the real environment wins", () => {
    ws = makeWorkspace();
    const root = join(ws.root, 'project');
    expect(cli(root, ['init'], { cwd: ws.root }).code).toBe(0);
    spawnSync('git', ['init', '-q'], { cwd: root });
    writeFileSync(join(root, 'orchestrator.yaml'), config(`bin: ${FAKE_CLAUDE}`));
    writeFileSync(
      join(root, '.env'),
      `# keys for the agents\nexport ANTHROPIC_API_KEY="sk-from-dotenv"\nSHARED=from-dotenv # a comment\nLITERAL='$HOME stays'\n`,
    );
    expect(spawnSync('git', ['check-ignore', '-q', '.env'], { cwd: root }).status).toBe(0);
    dropTask(root, 'keys', 'description: print the environment\n');
    expect(cli(root, ['run', '--until-idle'], { env: { PATH, SHARED: 'from-the-daemon' } }).code).toBe(0);
    expect(agentEnvironment('keys', root)).toMatchObject({
      ANTHROPIC_API_KEY: 'sk-from-dotenv',
      SHARED: 'from-the-daemon',
      LITERAL: '$HOME stays',
    });
  });

  it('refuses to start while a variable is not set, naming the field; a malformed .env line is named', () => {
    ws = makeWorkspace(config(`bin: ${FAKE_CLAUDE}, env: { ANTHROPIC_API_KEY: "\${MISSING_KEY}" }`));
    writeFileSync(join(ws.root, '.env'), 'GOOD=1\nthis is not an assignment\n');
    dropTask(ws.root, 'never', 'description: never runs\n');
    const run = cli(ws.root, ['run', '--until-idle'], { env: { PATH } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "orchestrator.yaml: agents.claude.env.ANTHROPIC_API_KEY: MISSING_KEY is not set (add a line MISSING_KEY=... to the workspace's .env, or export it before starting the daemon; ${MISSING_KEY:-} allows it empty)",
    );
    expect(run.stdout).toContain('.env:2: not a NAME=value line');
    expect(idsIn(ws.root, 'pending')).toEqual(['never']);
  });

  it('a running daemon reloads a changed .env: new runs get the new values', async () => {
    ws = makeWorkspace(config(`bin: ${FAKE_CLAUDE}, env: { TOKEN: "\${ROTATING_TOKEN}" }`));
    writeFileSync(join(ws.root, '.env'), 'ROTATING_TOKEN=first\n');
    daemon = spawnDaemon(ws.root);
    await waitReady(daemon);
    dropTask(ws.root, 'one', 'description: print the environment\n');
    await waitFor('the first task', () => idsIn(ws.root, 'completed').includes('one'));
    writeFileSync(join(ws.root, '.env'), 'ROTATING_TOKEN=second\n');
    await waitFor('the reload', () => daemon!.output().includes('reloaded orchestrator.yaml and .env'));
    dropTask(ws.root, 'two', 'description: print the environment\n');
    await waitFor('the second task', () => idsIn(ws.root, 'completed').includes('two'));
    expect([agentEnvironment('one').TOKEN, agentEnvironment('two').TOKEN]).toEqual(['first', 'second']);
  });
});

// Nothing leaves the workspace through a symlink: the paths task, plan and config files name are
// checked where they really lead, when the files are read and again when an agent starts.
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gitIn, repoWorkspace } from '../helpers/git-repo.js';
import {
  cli,
  daemonTest,
  dropSettled,
  dropTask,
  FAST_DAEMON,
  idsIn,
  inProcessDaemon,
  makeWorkspace,
} from '../helpers/workspace.js';

const t = daemonTest();

const PASSWD_FIRST_LINE = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
const task = (root: string, state: string, id: string) =>
  parse(readFileSync(join(root, 'tasks', state, `${id}.yaml`), 'utf8'));
const read = (root: string, file: string) => readFileSync(join(root, file), 'utf8');
// An agent that says where it ran, and one that answers with the prompt it was given.
const WHERE = '  where: { command: ["sh", "-c", "pwd > \\"$ORCHESTRATE_ROOT/where.txt\\""], cwd: sub }\n';
const ECHO = '  echo: { command: ["cat", "{prompt_file}"] }\n';
const config = (agents = '') =>
  `agents:\n  shell: { preset: shell, max_instances: 2 }\n${agents}defaults: { agent: shell, max_retries: 0 }\n${FAST_DAEMON}`;

async function runUntilIdle(root: string): Promise<void> {
  t.daemon = inProcessDaemon(root, { untilIdle: true });
  await t.daemon.done;
}

describe('paths from task files', () => {
  it('sets aside a task whose context file leads outside through a symlink, and one locking "/", each with one line naming the field and the fix', async () => {
    t.ws = makeWorkspace(config(ECHO));
    const { root } = t.ws;
    symlinkSync('/', join(root, 'link'));
    dropSettled(root, 'leak', 'description: summarise it\nagent: echo\ncontext_files: [link/etc/passwd]\n');
    dropSettled(root, 'everything', 'description: lock it all\ncommand: "true"\nlocks: ["/"]\n');
    dropSettled(root, 'fine', 'description: fine\ncommand: "true"\nlocks: ["**"]\n');
    await runUntilIdle(root);
    expect(idsIn(root, 'completed')).toEqual(['fine']);
    expect(idsIn(root, 'failed')).toEqual(['everything', 'leak']);
    expect(read(root, 'tasks/failed/leak.error')).toMatch(
      /leak\.yaml: context_files\[0\]: "link\/etc\/passwd" leads outside the workspace through a symlink \(to \/etc\/passwd\); use a file inside the workspace\n/,
    );
    expect(read(root, 'tasks/failed/everything.error')).toMatch(
      /everything\.yaml: locks\[0\]: must be a path or glob relative to the workspace, without "\.\." \(for example "src\/\*\*"; "\*\*" for the whole workspace\)\n/,
    );
    expect(existsSync(join(root, '.orchestrate/runs/leak'))).toBe(false);
  });

  it('does not inline a context file that came to lead outside after the task was checked', async () => {
    t.ws = makeWorkspace(config(ECHO));
    const { root } = t.ws;
    // The symlink appears only once `plant` has run, long after `reader` was read and found valid.
    dropTask(root, 'plant', 'description: plant a symlink\ncommand: ln -s / link\n');
    dropTask(
      root,
      'reader',
      'description: summarise it\nagent: echo\ndepends_on: [plant]\ncontext_files: [link/etc/passwd]\n',
    );
    await runUntilIdle(root);
    expect(idsIn(root, 'completed')).toEqual(['plant', 'reader']);
    const prompt = read(root, '.orchestrate/runs/reader/1/prompt.md');
    expect(prompt).toContain('### link/etc/passwd\n(not inlined: it leads outside the workspace through a symlink)\n');
    expect(prompt).not.toContain(PASSWD_FIRST_LINE);
    expect(read(root, 'context/agent_outputs/reader.md')).not.toContain(PASSWD_FIRST_LINE);
  });

  it('refuses a plan whose entry names a context file outside, from `orchestrate plan` and from pending/', async () => {
    t.ws = makeWorkspace(config());
    const { root } = t.ws;
    symlinkSync('/', join(root, 'link'));
    const plan =
      'tasks:\n  - name: one\n    description: one\n  - name: two\n    description: two\n    context_files: [docs.md, link/etc/passwd]\n';
    writeFileSync(join(root, 'leaky.yaml'), plan);
    const refused = cli(root, ['plan', 'leaky.yaml']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'leaky.yaml: tasks[1].context_files[1]: "link/etc/passwd" leads outside the workspace through a symlink (to /etc/passwd); use a file inside the workspace',
    );
    expect(idsIn(root, 'pending')).toEqual([]);
    dropSettled(root, 'leaky', plan);
    await runUntilIdle(root);
    expect(idsIn(root, 'failed')).toEqual(['leaky']);
    expect(read(root, 'tasks/failed/leaky.error')).toContain(
      'leaky.yaml: tasks[1].context_files[1]: "link/etc/passwd" leads outside the workspace',
    );
  });
});

describe("an agent's cwd", () => {
  it('refuses a config whose cwd leads outside: `orchestrate run` says which field, and starts nothing', () => {
    t.ws = makeWorkspace(config(WHERE));
    const { root } = t.ws;
    symlinkSync('/', join(root, 'sub'));
    dropTask(root, 'anywhere', 'description: where am I\nagent: where\n');
    const run = cli(root, ['run', '--until-idle']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      'orchestrator.yaml: agents.where.cwd: "sub" leads outside the workspace through a symlink (to /); use a folder inside the workspace',
    );
    expect(idsIn(root, 'pending')).toEqual(['anywhere']);
    expect(existsSync(join(root, 'where.txt'))).toBe(false);
  });

  it('never runs the agent in a cwd that came to lead outside after the config was loaded', async () => {
    t.ws = makeWorkspace(config(WHERE));
    const { root } = t.ws;
    dropTask(root, 'plant', 'description: plant a symlink\ncommand: ln -s / sub\n');
    dropTask(root, 'escape', 'description: where am I\nagent: where\ndepends_on: [plant]\n');
    await runUntilIdle(root);
    expect(task(root, 'failed', 'escape').attempts[0]).toMatchObject({
      outcome: 'spawn_error',
      error:
        'orchestrator.yaml: agents.where.cwd: "sub" leads outside the workspace through a symlink (to /); use a folder inside the workspace',
    });
    expect(existsSync(join(root, 'where.txt'))).toBe(false);
  });

  it("is contained in a worktree task's own worktree, where a committed symlink can lead out", async () => {
    t.ws = repoWorkspace(config(WHERE));
    const { root } = t.ws;
    // Branch `linked` commits sub -> /; the main checkout has no sub, so the config is fine there.
    gitIn(root, 'checkout', '--quiet', '-b', 'linked');
    symlinkSync('/', join(root, 'sub'));
    gitIn(root, 'add', 'sub');
    gitIn(root, 'commit', '--quiet', '-m', 'a symlink out');
    gitIn(root, 'checkout', '--quiet', 'main');
    dropTask(root, 'isolated', 'description: where am I\nagent: where\nworkspace: worktree\nbase: linked\n');
    await runUntilIdle(root);
    expect(task(root, 'failed', 'isolated').attempts[0]).toMatchObject({
      outcome: 'spawn_error',
      error:
        'orchestrator.yaml: agents.where.cwd: "sub" leads outside the worktree through a symlink (to /); use a folder inside the worktree',
    });
    expect(existsSync(join(root, 'where.txt'))).toBe(false);
  });
});

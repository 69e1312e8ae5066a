import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, idsIn, makeWorkspace, waitFor, type Workspace } from '../helpers/workspace.js';

let ws: Workspace;
afterEach(() => {
  cli(ws.root, ['stop', '--kill-agents']);
  ws.cleanup();
});

describe('the CLI without a daemon', () => {
  it('init creates the workspace and is idempotent', () => {
    ws = makeWorkspace();
    const fresh = join(ws.root, 'fresh');
    const first = cli(fresh, ['init'], { cwd: ws.root });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('orchestrator.yaml');
    for (const path of ['orchestrator.yaml', 'tasks/pending', 'tasks/failed', 'context/project_overview.md'])
      expect(existsSync(join(fresh, path))).toBe(true);
    expect(readFileSync(join(fresh, '.gitignore'), 'utf8')).toContain('.orchestrate/');
    expect(cli(fresh, ['init'], { cwd: ws.root }).stdout).toContain('already initialised');
  });

  it('init keeps .orchestrate/ and .env (where keys go) out of git, adding only what .gitignore lacks', () => {
    ws = makeWorkspace();
    writeFileSync(join(ws.root, '.gitignore'), 'node_modules\n.orchestrate');
    expect(cli(ws.root, ['init']).stdout).toContain('.gitignore entry for .env');
    expect(readFileSync(join(ws.root, '.gitignore'), 'utf8')).toBe('node_modules\n.orchestrate\n.env\n');
    expect(cli(ws.root, ['init']).stdout).toBe('already initialised\n');
  });

  it('add prints a readable id, never reuses one, and says no daemon runs', () => {
    ws = makeWorkspace();
    const first = cli(ws.root, ['add', 'Fix', 'the', 'login', 'bug']);
    expect(first).toMatchObject({ code: 0, stdout: 'fix-the-login-bug\n' });
    expect(first.stderr).toContain('no daemon is running');
    expect(cli(ws.root, ['add', 'Fix the login bug']).stdout).toBe('fix-the-login-bug-2\n');
    const text = readFileSync(join(ws.root, 'tasks/pending/fix-the-login-bug.yaml'), 'utf8');
    expect(text).toMatch(/^description: Fix the login bug\ncreated_at: /);
    const taken = cli(ws.root, ['add', '--id', 'fix-the-login-bug', 'again']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('already used');
  });

  it('add writes options as fields and quotes what YAML would misread', () => {
    ws = makeWorkspace();
    const id = cli(ws.root, [
      'add',
      '--priority',
      'high',
      '--timeout',
      '5m',
      '--command',
      'echo "a: b" # not a comment',
      '--max-retries',
      '0',
      'yes',
    ]).stdout.trim();
    const text = readFileSync(join(ws.root, `tasks/pending/${id}.yaml`), 'utf8');
    expect(text).toContain('description: "yes"');
    expect(text).toContain('command: "echo \\"a: b\\" # not a comment"');
    expect(text).toContain('priority: high');
    const shown = JSON.parse(cli(ws.root, ['show', id, '--json']).stdout);
    expect(shown.fields).toMatchObject({
      description: 'yes',
      command: 'echo "a: b" # not a comment',
      priority: 'high',
      timeout: '5m',
      max_retries: 0,
    });
    const isolated = cli(ws.root, [
      'add',
      '--role',
      'tests',
      '--locks',
      'src/api/**, docs/a b.md',
      '--workspace',
      'worktree',
      '--base',
      'release/1.2',
      '--merge',
      'manual',
      'write the tests',
    ]).stdout.trim();
    expect(JSON.parse(cli(ws.root, ['show', isolated, '--json']).stdout).fields).toMatchObject({
      role: 'tests',
      locks: ['src/api/**', 'docs/a b.md'],
      workspace: 'worktree',
      base: 'release/1.2',
      merge: 'manual',
    });
  });

  it('add refuses bad options with exit code 2 and a fix', () => {
    ws = makeWorkspace();
    expect(cli(ws.root, ['add', '--priority', 'urgent', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('high, normal or low'),
    });
    expect(cli(ws.root, ['add', '--timeout', 'soon', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('duration'),
    });
    expect(cli(ws.root, ['add', '--agent', 'shel', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('did you mean "shell"'),
    });
    expect(cli(ws.root, ['add'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('description is required'),
    });
    expect(cli(ws.root, ['add', '--bogus', 'x']).code).toBe(2);
    expect(cli(ws.root, ['add', '--workspace', 'tree', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('shared or worktree'),
    });
    expect(cli(ws.root, ['add', '--merge', 'yes', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('auto or manual'),
    });
    expect(cli(ws.root, ['add', '--base', '--upload-pack=x', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('not a branch'),
    });
    expect(cli(ws.root, ['add', '--locks', 'src/**, /', 'x'])).toMatchObject({
      code: 2,
      stderr:
        'orchestrate: --locks: "/" must be a path or glob relative to the workspace, without ".." (for example "src/**"; "**" for the whole workspace)\n',
    });
    expect(cli(ws.root, ['add', '--locks', '../other/**', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--locks: "../other/**" must be a path or glob relative to the workspace'),
    });
    expect(idsIn(ws.root, 'pending')).toEqual([]);
  });

  it('add --file submits a YAML file as written, or explains what is wrong', () => {
    ws = makeWorkspace();
    const good = join(ws.root, 'job.yaml');
    writeFileSync(good, '# keep me\ndescription: from a file\npriority: low\n');
    expect(cli(ws.root, ['add', '--file', good]).stdout).toBe('job\n');
    expect(readFileSync(join(ws.root, 'tasks/pending/job.yaml'), 'utf8')).toBe(
      '# keep me\ndescription: from a file\npriority: low\n',
    );
    const bad = join(ws.root, 'bad.yaml');
    writeFileSync(bad, 'description: x\npriorty: low\n');
    const refused = cli(ws.root, ['add', '--file', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('priorty: unknown field (did you mean "priority"?)');
  });

  it('status, tasks, show and agents work with no daemon, as text and --json', () => {
    ws = makeWorkspace();
    cli(ws.root, ['add', '--id', 'one', 'first task']);
    const status = cli(ws.root, ['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('daemon: not running');
    expect(status.stdout).toContain('1 pending');
    expect(JSON.parse(cli(ws.root, ['status', '--json']).stdout)).toMatchObject({
      daemon: { running: false },
      counts: { pending: 1, assigned: 0, completed: 0, failed: 0 },
    });
    expect(cli(ws.root, ['tasks']).stdout).toMatch(/one\s+pending/);
    expect(JSON.parse(cli(ws.root, ['tasks', '--json', '--status', 'pending']).stdout)).toEqual([
      expect.objectContaining({ id: 'one', state: 'pending', description: 'first task' }),
    ]);
    expect(cli(ws.root, ['tasks', '--status', 'nope']).code).toBe(2);
    expect(cli(ws.root, ['show', 'one']).stdout).toContain('description: first task');
    expect(cli(ws.root, ['show', 'missing'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no task "missing"'),
    });
    expect(JSON.parse(cli(ws.root, ['agents', '--json']).stdout)).toEqual([
      expect.objectContaining({ name: 'shell', max_instances: 4, running: 0 }),
    ]);
  });

  it('cancel and retry work without a daemon', () => {
    ws = makeWorkspace();
    cli(ws.root, ['add', '--id', 'c1', 'to cancel']);
    expect(cli(ws.root, ['cancel', 'c1'])).toMatchObject({ code: 0, stdout: 'cancelled c1\n' });
    expect(idsIn(ws.root, 'failed')).toEqual(['c1']);
    expect(readFileSync(join(ws.root, 'tasks/failed/c1.yaml'), 'utf8')).toContain('outcome: cancelled');
    expect(cli(ws.root, ['cancel', 'c1'])).toMatchObject({ code: 1, stderr: expect.stringContaining('already ended') });
    expect(cli(ws.root, ['retry', 'c1'])).toMatchObject({ code: 0 });
    expect(idsIn(ws.root, 'pending')).toEqual(['c1']);
    expect(cli(ws.root, ['retry', 'c1'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('only failed tasks'),
    });
  });

  it('every command has --help, and unknown commands are usage errors', () => {
    ws = makeWorkspace();
    for (const command of [
      'init',
      'start',
      'run',
      'stop',
      'add',
      'status',
      'tasks',
      'show',
      'logs',
      'cancel',
      'retry',
      'agents',
    ]) {
      const help = cli(ws.root, [command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout).toContain('Usage: orchestrate');
    }
    expect(cli(ws.root, ['frobnicate']).code).toBe(2);
  });
});

describe("the seed spec's command names", () => {
  it('submit, task, kill and cleanup are add, show, cancel and clean; tasks --status active lists running tasks', async () => {
    ws = makeWorkspace();
    const help = cli(ws.root, ['--help']).stdout;
    for (const pair of ['add|submit', 'show|task', 'cancel|kill', 'clean|cleanup']) expect(help).toContain(pair);
    expect(cli(ws.root, ['submit', '--help']).stdout).toContain('Usage: orchestrate add|submit');
    expect(cli(ws.root, ['start']).code).toBe(0);
    const id = cli(ws.root, ['submit', '--command', 'sleep 30', 'long job']).stdout.trim();
    expect(id).toBe('long-job');
    await waitFor('the task to run', () => idsIn(ws.root, 'assigned').includes(id));
    expect(cli(ws.root, ['task', id]).stdout).toContain(`# tasks/assigned/${id}.yaml (assigned)`);
    cli(ws.root, ['submit', '--id', 'later', '--depends-on', id, 'later']);
    const active = JSON.parse(cli(ws.root, ['tasks', '--status', 'active', '--json']).stdout) as { id: string }[];
    expect(active.map((task) => task.id)).toEqual([id]);
    expect(cli(ws.root, ['kill', id])).toMatchObject({ code: 0, stdout: expect.stringContaining(`cancelled ${id}`) });
    expect(idsIn(ws.root, 'failed')).toContain(id);
    expect(cli(ws.root, ['cleanup', '--dry-run'])).toMatchObject({
      code: 0,
      stdout: 'nothing to clean: the workspace is not in a git repository\n',
    });
  });

  it('a bad --status value is a usage error listing the valid ones', () => {
    ws = makeWorkspace();
    expect(cli(ws.root, ['tasks', '--status', 'actve'])).toMatchObject({
      code: 2,
      stderr:
        'orchestrate: --status: "actve" is not a state (did you mean "active"? use pending, assigned (or running, active), completed (or done), failed; several separated by commas)\n',
    });
  });
});

describe('the CLI with a daemon', () => {
  it('start returns once the daemon is up, starts no second one, and stop ends it', async () => {
    ws = makeWorkspace();
    const started = cli(ws.root, ['start']);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/daemon started \(pid \d+\)/);
    const pid = Number(/pid (\d+)/.exec(started.stdout)![1]);
    expect(cli(ws.root, ['status']).stdout).toContain(`daemon: running (pid ${pid}`);
    expect(cli(ws.root, ['start'])).toMatchObject({ code: 0, stdout: `already running (pid ${pid})\n` });
    const id = cli(ws.root, ['add', '--command', 'echo out; echo err >&2', 'say hi']).stdout.trim();
    await waitFor('the task to complete', () => idsIn(ws.root, 'completed').includes(id));
    expect(cli(ws.root, ['logs', id])).toMatchObject({ code: 0, stdout: 'out\n', stderr: 'err\n' });
    expect(readFileSync(join(ws.root, `context/agent_outputs/${id}.md`), 'utf8')).toBe('out\n');
    expect(cli(ws.root, ['stop'])).toMatchObject({ code: 0, stdout: `daemon stopped (pid ${pid})\n` });
    expect(cli(ws.root, ['status']).stdout).toContain('daemon: not running');
  });

  it('tasks shows the attempt that runs and its agent, not only the attempts that ended', async () => {
    ws = makeWorkspace();
    cli(ws.root, ['start']);
    cli(ws.root, [
      'add',
      '--id',
      'again',
      '--max-retries',
      '1',
      '--command',
      'if [ -f tried ]; then sleep 5; else touch tried; exit 1; fi',
      'fails, then runs long',
    ]);
    await waitFor(
      'attempt 2 to run',
      () =>
        existsSync(join(ws.root, '.orchestrate/runs/again/2/run.json')) && idsIn(ws.root, 'assigned').includes('again'),
      20_000,
    );
    expect(cli(ws.root, ['tasks']).stdout).toMatch(/\nagain +assigned +shell +2 +- /);
    cli(ws.root, ['stop', '--kill-agents']);
  });

  it('stop --wait lets running agents finish and records them before the daemon exits', async () => {
    ws = makeWorkspace();
    cli(ws.root, ['start']);
    cli(ws.root, ['add', '--id', 'finishing', '--command', 'sleep 1; echo done', 'finishing']);
    await waitFor('the task to start', () => idsIn(ws.root, 'assigned').includes('finishing'));
    expect(cli(ws.root, ['stop', '--wait'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('daemon stopped'),
    });
    expect(idsIn(ws.root, 'completed')).toEqual(['finishing']);
    expect(readFileSync(join(ws.root, 'context/agent_outputs/finishing.md'), 'utf8')).toBe('done\n');
  });

  it('start refuses an invalid orchestrator.yaml with the field and the fix', () => {
    ws = makeWorkspace('agents:\n  shell: { preset: shell, max_instance: 2 }\n');
    const started = cli(ws.root, ['start']);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(
      'orchestrator.yaml: agents.shell.max_instance: unknown field (did you mean "max_instances"?)',
    );
  });

  it('logs -f follows a running task to its end; cancel stops it', async () => {
    ws = makeWorkspace();
    cli(ws.root, ['start']);
    cli(ws.root, ['add', '--id', 'chatty', '--command', 'for i in 1 2 3; do echo line $i; sleep 0.2; done', 'chatty']);
    const followed = cli(ws.root, ['logs', '-f', 'chatty']);
    expect(followed.stdout).toBe('line 1\nline 2\nline 3\n');
    cli(ws.root, ['add', '--id', 'long', '--command', 'sleep 30', 'long']);
    await waitFor('long to start', () => idsIn(ws.root, 'assigned').includes('long'));
    expect(cli(ws.root, ['cancel', 'long'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('cancelled long'),
    });
    expect(idsIn(ws.root, 'failed')).toContain('long');
    expect(readFileSync(join(ws.root, 'tasks/failed/long.yaml'), 'utf8')).toContain('outcome: cancelled');
  });
});

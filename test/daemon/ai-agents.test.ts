import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  cli,
  dropTask,
  FAST_DAEMON,
  FIXTURES,
  inProcessDaemon,
  makeWorkspace,
  waitFor,
  type Workspace,
} from '../helpers/workspace.js';

let ws: Workspace;
afterEach(() => ws.cleanup());

const task = (state: string, id: string) => parse(readFileSync(join(ws.root, 'tasks', state, `${id}.yaml`), 'utf8'));
// test/fixtures/bin/claude behaves like the real CLI: same flags, same stream-json lines.
const withFakeClis = `${join(FIXTURES, 'bin')}:${process.env.PATH}`;
const config = [
  'max_concurrent: 2',
  'agents:',
  `  claude: { preset: claude, max_instances: 2, env: { PATH: "${withFakeClis}" } }`,
  '  codex: { preset: codex, env: { PATH: /nonexistent } }',
  `  gemini: { preset: gemini, env: { PATH: "${withFakeClis}" } }`,
  'defaults: { agent: claude, max_retries: 0 }',
  FAST_DAEMON,
].join('\n');

describe('an AI preset run by the daemon', () => {
  it('runs the CLI headless, which does the work; the answer, tokens and cost are recorded', async () => {
    ws = makeWorkspace(config);
    dropTask(ws.root, 'hello', 'description: Create a file named hello.txt with content HELLO FROM claude\n');
    await inProcessDaemon(ws.root, { untilIdle: true }).done;
    expect(readFileSync(join(ws.root, 'hello.txt'), 'utf8')).toBe('HELLO FROM claude');
    const done = task('completed', 'hello');
    expect(done.result).toMatchObject({
      outcome: 'success',
      summary: 'MOCK_DONE wrote hello.txt',
      tokens_in: 20,
      tokens_out: 10,
      cost_usd: 0.00028,
      turns: 2,
      tool_calls: 1,
    });
    expect(done.attempts[0]).toMatchObject({ outcome: 'success', tokens_in: 20, tokens_out: 10 });
    expect(readFileSync(join(ws.root, done.result.output), 'utf8')).toBe('MOCK_DONE wrote hello.txt');
  });

  it('fails a run whose model answered with an error, with the reason', async () => {
    ws = makeWorkspace(config);
    dropTask(ws.root, 'bad', 'description: MODEL_ERROR please\n');
    await inProcessDaemon(ws.root, { untilIdle: true }).done;
    expect(task('failed', 'bad').result).toMatchObject({
      outcome: 'failed',
      error: expect.stringContaining('API Error: 400'),
    });
  });

  it('parks a rate-limited task in pending without using a retry, then runs it after the reset', async () => {
    ws = makeWorkspace(config);
    dropTask(ws.root, 'limited', 'description: RATE_LIMIT_ONCE Create a file named a.txt with content A\n');
    await inProcessDaemon(ws.root, { untilIdle: true }).done;
    const done = task('completed', 'limited');
    expect(done.attempts.map((attempt: { outcome: string }) => attempt.outcome)).toEqual(['rate_limited', 'success']);
    expect(done.attempts[0].error).toMatch(
      /^claude hit a usage or rate limit; it is paused until \S+ and this task waits in pending without using a retry \(API Error: 429/,
    );
    // The CLI said "retry after 1s": the second attempt waited for it (max_retries is 0 here).
    expect(Date.parse(done.attempts[1].started_at) - Date.parse(done.attempts[0].ended_at)).toBeGreaterThanOrEqual(900);
  });

  it('does not retry an authentication failure, and says how to log in', async () => {
    ws = makeWorkspace(config.replace('max_retries: 0', 'max_retries: 3'));
    dropTask(ws.root, 'nologin', 'description: AUTH_ERROR\n');
    await inProcessDaemon(ws.root, { untilIdle: true }).done;
    const failed = task('failed', 'nologin');
    expect(failed.attempts).toHaveLength(1);
    expect(failed.result.error).toBe(
      'exit 1: claude is not logged in: run `claude` once and log in, or set ANTHROPIC_API_KEY (Invalid API key · Please run /login)',
    );
  });

  it('shows progress while the agent runs (status), and its stream readably (logs) or raw (logs --raw)', async () => {
    ws = makeWorkspace(config);
    dropTask(ws.root, 'slow', 'description: SLOW Create a file named s.txt with content S\n');
    const daemon = inProcessDaemon(ws.root, { untilIdle: true });
    const running = await waitFor('the live view of the tool call', () => {
      const row = JSON.parse(cli(ws.root, ['status', '--json']).stdout).running.find(
        (r: { id: string }) => r.id === 'slow',
      );
      return row?.progress?.tool_calls === 1 ? row : undefined;
    });
    expect(running.progress).toMatchObject({
      turns: 1,
      tool_calls: 1,
      tokens_in: 10,
      last_message: `→ Write ${join(ws.root, 's.txt')}`,
    });
    expect(cli(ws.root, ['status']).stdout).toMatch(/slow .* 1 turn · 1 tool · 11 tokens · → Write /);
    await daemon.done;
    expect(cli(ws.root, ['logs', 'slow']).stdout).toBe(
      `→ Write ${join(ws.root, 's.txt')}\nMOCK_DONE wrote s.txt\n✓ MOCK_DONE wrote s.txt\n`,
    );
    const raw = cli(ws.root, ['logs', 'slow', '--raw']).stdout.trim().split('\n');
    expect(raw.map((line) => JSON.parse(line).type)).toEqual(['system', 'assistant', 'user', 'assistant', 'result']);
  });

  it("shows the CLI's own retries while it runs: in status's live line and in logs (claude's stream, gemini's stderr)", async () => {
    ws = makeWorkspace(config);
    dropTask(ws.root, 'retrying', 'description: API_RETRY Create a file named r.txt with content R\n');
    dropTask(ws.root, 'gemini-retrying', 'description: anything\nagent: gemini\n');
    const daemon = inProcessDaemon(ws.root, { untilIdle: true });
    const live = (id: string, text: string) =>
      waitFor(`${id}'s live line`, () =>
        JSON.parse(cli(ws.root, ['status', '--json']).stdout).running.find(
          (row: { id: string; progress?: { last_message?: string } }) =>
            row.id === id && row.progress?.last_message === text,
        ),
      );
    await live('retrying', 'retrying (attempt 2/10): 529 overloaded');
    await live('gemini-retrying', 'retrying (attempt 1): 503 The model is overloaded. Please try again later.');
    expect(cli(ws.root, ['status']).stdout).toMatch(
      /retrying .* 0 turns · 0 tools · retrying \(attempt 2\/10\): 529 overloaded/,
    );
    expect(cli(ws.root, ['logs', 'retrying']).stdout).toBe(
      '↻ retrying (attempt 1/10): 529 overloaded\n↻ retrying (attempt 2/10): 529 overloaded\n',
    );
    writeFileSync(join(ws.root, 'go'), '');
    await daemon.done;
    expect(task('completed', 'retrying').result).toMatchObject({
      outcome: 'success',
      summary: 'MOCK_DONE wrote r.txt',
    });
    expect(cli(ws.root, ['logs', 'retrying']).stdout).toMatch(
      /^↻ retrying \(attempt 1\/10\): 529 overloaded\n↻ retrying \(attempt 2\/10\): 529 overloaded\n→ Write /,
    );
    expect(cli(ws.root, ['logs', 'gemini-retrying']).stderr).toContain(
      'Attempt 1 failed with status 503. Retrying with backoff...',
    );
    expect(task('completed', 'gemini-retrying').result).toMatchObject({ outcome: 'success', summary: 'MOCK_DONE' });
  });

  it('records and shows an agent’s coloured error as text, without terminal codes', async () => {
    ws = makeWorkspace(config.replace('agents:', 'agents:\n  shell: { preset: shell, max_instances: 1 }'));
    dropTask(ws.root, 'crash', 'description: COLOURED_CRASH\n');
    dropTask(
      ws.root,
      'red',
      "description: red\nagent: shell\ncommand: |\n  printf '\\033[31mnpm ERR!\\033[0m missing script: lint\\n' >&2; exit 2\n",
    );
    await inProcessDaemon(ws.root, { untilIdle: true }).done;
    expect(task('failed', 'crash').result.error).toBe('exit 1: Error: could not reach the API');
    expect(task('failed', 'red').result.error).toBe('exit 2: npm ERR! missing script: lint');
    const files = readdirSync(join(ws.root, 'tasks/failed')).map((name) =>
      readFileSync(join(ws.root, 'tasks/failed', name), 'utf8'),
    );
    expect(files.join('')).not.toMatch(/\u001b|\\e|\\x1b|\\u001b/i);
    expect(cli(ws.root, ['tasks']).stdout).toContain('COLOURED_CRASH — exit 1: Error: could not reach the API');
  });

  it('hands a prompt too long for argv over as its file, and saves the prompt with its role', async () => {
    ws = makeWorkspace(config);
    const padding = 'x'.repeat(900 * 1024);
    dropTask(
      ws.root,
      'big',
      `description: Create a file named big.txt with content BIG\nrole: reviewer\ncontext_files: [pad.txt]\n`,
    );
    writeFileSync(join(ws.root, 'pad.txt'), padding.slice(0, 60 * 1024));
    dropTask(ws.root, 'huge', `description: "Create a file named huge.txt with content HUGE\\n${padding}"\n`);
    await inProcessDaemon(ws.root, { untilIdle: true }).done;
    expect(readFileSync(join(ws.root, 'huge.txt'), 'utf8')).toBe('HUGE');
    expect(readFileSync(join(ws.root, 'big.txt'), 'utf8')).toBe('BIG');
    const saved = readFileSync(join(ws.root, '.orchestrate/runs/big/1/prompt.md'), 'utf8');
    expect(saved.startsWith('## Your role\n\nYou are a careful code reviewer.')).toBe(true);
    expect(saved).toContain('## Task\n\nCreate a file named big.txt with content BIG\n');
  });

  it('says how to install a CLI that is missing', async () => {
    ws = makeWorkspace(config);
    dropTask(ws.root, 'nocli', 'description: anything\nagent: codex\n');
    await inProcessDaemon(ws.root, { untilIdle: true }).done;
    expect(task('failed', 'nocli').result).toMatchObject({
      outcome: 'spawn_error',
      error: expect.stringContaining('install it with `npm install -g @openai/codex`'),
    });
  });
});

describe('the shared context an agent gets', () => {
  // An agent that answers with the prompt it was handed, so its output is what it read.
  const echoing = (context: string) =>
    `agents:\n  reader: { command: [cat, "{prompt_file}"] }\ndefaults: { agent: reader, max_retries: 0 }\n${context}${FAST_DAEMON}`;
  const answer = (id: string) => readFileSync(join(ws.root, 'context/agent_outputs', `${id}.md`), 'utf8');
  const overview = '# Project overview\n\nThe build is `make`; OVERVIEW-MARKER.\n';

  it('includes context/project_overview.md with no context: section in orchestrator.yaml; names it missing like any listed file', async () => {
    ws = makeWorkspace(echoing(''));
    dropTask(ws.root, 'before', 'description: no overview written yet\n');
    await inProcessDaemon(ws.root, { untilIdle: true }).done;
    expect(answer('before')).toContain('## Context\n\n### context/project_overview.md\n(missing)\n');
    writeFileSync(join(ws.root, 'context/project_overview.md'), overview);
    dropTask(ws.root, 'reads', 'description: read the overview\n');
    await inProcessDaemon(ws.root, { untilIdle: true }).done;
    expect(answer('reads')).toContain(
      '## Context\n\n### context/project_overview.md\n\n# Project overview\n\nThe build is `make`; OVERVIEW-MARKER.\n',
    );
  });

  it('leaves it out with context: { files: [] }', async () => {
    ws = makeWorkspace(echoing('context: { files: [] }\n'));
    writeFileSync(join(ws.root, 'context/project_overview.md'), overview);
    dropTask(ws.root, 'without', 'description: no shared context\n');
    await inProcessDaemon(ws.root, { untilIdle: true }).done;
    expect(answer('without')).toContain('## Task\n\nno shared context\n');
    expect(answer('without')).not.toContain('## Context');
  });
});

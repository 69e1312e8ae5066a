import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  REPO,
  cli as orchestrate,
  dropTask,
  FAST_DAEMON,
  inProcessDaemon,
  makeWorkspace,
  type Workspace,
} from '../helpers/workspace.js';
import { startModelServer, type ModelServer } from './model-server.js';

// The real CLIs (installed by scripts/install-e2e-clis.mjs) against our model server, in one
// workspace, at the same time.
const CLI_BIN = join(REPO, '.cache/e2e-clis/node_modules/.bin');

let server: ModelServer;
let ws: Workspace;
beforeAll(async () => {
  server = await startModelServer();
});
afterAll(async () => {
  await server.close();
  ws?.cleanup();
});

const CLIS = ['claude', 'codex', 'gemini', 'qwen', 'copilot'];
// Each CLI's limited task: its model server answers 429s with `x-should-retry: false` and each CLI,
// with its default retries, gives up and the 429 reaches orchestrate, which parks the task. gemini's
// model router asks first, so 2 (a daily quota, which it does not retry); qwen gives up on a quota
// that names its reset time.
const LIMITED: Record<string, string> = {
  claude: 'RATE_LIMIT_1',
  codex: 'RATE_LIMIT_1',
  copilot: 'RATE_LIMIT_1',
  gemini: 'RATE_LIMIT_2',
  qwen: 'QUOTA_EXHAUSTED_1',
};
// Each CLI's retried task: the model server is overloaded for its first requests, the CLI retries by
// itself and succeeds. codex retries 4 times silently before it reports a retry ("Reconnecting..."),
// so 5; qwen reports none (its retries are in no output).
const OVERLOADED: Record<string, string> = {
  claude: 'OVERLOADED_1',
  codex: 'OVERLOADED_5',
  copilot: 'OVERLOADED_1',
  gemini: 'OVERLOADED_1',
  qwen: 'OVERLOADED_1',
};
const task = (state: string, id: string) => parse(readFileSync(join(ws.root, 'tasks', state, `${id}.yaml`), 'utf8'));

// Each CLI's environment: its own empty HOME, an API key and our server as its API; nothing else.
function cliEnv(name: string, api: Record<string, string>): { env: string; home: string } {
  const home = mkdtempSync(join(tmpdir(), `${name}-home-`));
  return { env: JSON.stringify({ PATH: `${CLI_BIN}:${process.env.PATH}`, HOME: home, ...api }), home };
}

describe('orchestrate with the real agent CLIs', () => {
  it('runs the five CLIs at once in a fresh setup: each calls its write tool and answers; a model error fails with the reason; a 429 parks the task; their own retries show in logs', async () => {
    const claude = cliEnv('claude', { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-e2e' });
    const copilot = cliEnv('copilot', {
      COPILOT_PROVIDER_BASE_URL: `${server.url}/v1`,
      COPILOT_PROVIDER_API_KEY: 'sk-e2e',
      COPILOT_MODEL: 'mock-model',
    });
    const gemini = cliEnv('gemini', { GEMINI_API_KEY: 'e2e', GOOGLE_GEMINI_BASE_URL: server.url });
    // With GOOGLE_GEMINI_BASE_URL set, gemini 0.61 guesses a "gateway" login it then refuses headless:
    // its settings choose the API key (GEMINI_API_KEY alone needs no settings with Google's own URL).
    mkdirSync(join(gemini.home, '.gemini'));
    writeFileSync(
      join(gemini.home, '.gemini/settings.json'),
      JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } } }),
    );
    // codex reads no base URL from its environment (OPENAI_BASE_URL was removed): `-c openai_base_url`.
    // Its own models' tools are defined by OpenAI's servers: a model it does not know gets its tools sent.
    const codex = cliEnv('codex', { CODEX_API_KEY: 'sk-e2e' });
    const qwen = cliEnv('qwen', {
      OPENAI_API_KEY: 'sk-e2e',
      OPENAI_BASE_URL: `${server.url}/v1`,
      OPENAI_MODEL: 'mock-model',
    });
    ws = makeWorkspace(
      [
        'max_concurrent: 10',
        'agents:',
        `  claude: { preset: claude, max_instances: 2, timeout: 4m, env: ${claude.env} }`,
        `  qwen: { preset: qwen, max_instances: 2, timeout: 4m, env: ${qwen.env} }`,
        `  copilot: { preset: copilot, max_instances: 2, timeout: 4m, env: ${copilot.env} }`,
        `  gemini: { preset: gemini, max_instances: 2, timeout: 4m, env: ${gemini.env} }`,
        `  codex: { preset: codex, max_instances: 2, timeout: 4m, model: mock-model, args: [-c, 'openai_base_url="${server.url}/v1"'], env: ${codex.env} }`,
        // codex names no reset time for a 429: the pause is limit_backoff.
        'defaults: { max_retries: 0, limit_backoff: 1s }',
        FAST_DAEMON,
      ].join('\n'),
    );
    for (const cli of CLIS) {
      dropTask(
        ws.root,
        `hello-${cli}`,
        `description: Create a file named ${cli}.txt with content HELLO FROM ${cli}\nagent: ${cli}\n`,
      );
      dropTask(ws.root, `broken-${cli}`, `description: MODEL_ERROR on purpose\nagent: ${cli}\n`);
      dropTask(
        ws.root,
        `retried-${cli}`,
        `description: ${OVERLOADED[cli]} retried-${cli} Create a file named retried-${cli}.txt with content AGAIN\nagent: ${cli}\n`,
      );
    }
    for (const [cli, limit] of Object.entries(LIMITED))
      dropTask(
        ws.root,
        `limited-${cli}`,
        `description: ${limit} limited-${cli} Create a file named limited-${cli}.txt with content LATER\nagent: ${cli}\n`,
      );
    await inProcessDaemon(ws.root, { untilIdle: true }).done;

    // A 429 parked the task (no retry used: max_retries is 0) until the reset, then it ran.
    for (const cli of Object.keys(LIMITED)) {
      const limited = task('completed', `limited-${cli}`);
      expect(limited.attempts.map((attempt: { outcome: string }) => attempt.outcome)).toEqual([
        'rate_limited',
        'success',
      ]);
      expect(limited.attempts[0].error).toMatch(
        new RegExp(`^${cli} hit a usage or rate limit; it is paused until .*(429|daily quota)`, 's'),
      );
      expect(readFileSync(join(ws.root, `limited-${cli}.txt`), 'utf8')).toBe('LATER');
    }
    // qwen passed on the reset time the quota named: the pause ended then.
    expect(task('completed', 'limited-qwen').attempts[0].error).toMatch(
      /paused until \d{4}-(\d\d-\d\d)T(\d\d:\d\d:\d\d)\.000Z .*will reset at \1 \2 UTC/s,
    );

    for (const cli of CLIS) {
      expect(readFileSync(join(ws.root, `${cli}.txt`), 'utf8')).toBe(`HELLO FROM ${cli}`);
      const done = task('completed', `hello-${cli}`);
      expect(done.result).toMatchObject({ outcome: 'success', summary: `MOCK_DONE wrote ${cli}.txt`, tool_calls: 1 });
      // copilot's JSON output reports no token counts.
      if (cli !== 'copilot') expect(done.result.tokens_in).toBeGreaterThan(0);
      if (cli !== 'copilot') expect(done.result.tokens_out).toBeGreaterThan(0);
      expect(readFileSync(join(ws.root, done.result.output), 'utf8')).toBe(`MOCK_DONE wrote ${cli}.txt`);
      expect(task('failed', `broken-${cli}`).result).toMatchObject({
        outcome: 'failed',
        error: expect.stringContaining('MODEL_ERROR asked for'),
      });
      // The overloaded server: the CLI retried by itself and succeeded, in the attempt orchestrate started.
      expect(
        task('completed', `retried-${cli}`).attempts.map((attempt: { outcome: string }) => attempt.outcome),
      ).toEqual(['success']);
      expect(readFileSync(join(ws.root, `retried-${cli}.txt`), 'utf8')).toBe('AGAIN');
    }
    // ...and `logs` shows those retries: from the stream, or (gemini) on stderr, which logs copies.
    const logs = (cli: string) => orchestrate(ws.root, ['logs', `retried-${cli}`]);
    expect(logs('claude').stdout).toContain('↻ retrying (attempt 1/10): 529 overloaded');
    expect(logs('codex').stdout).toMatch(
      /↻ retrying \(attempt 1\/5\): unexpected status 503 Service Unavailable: The server is overloaded/,
    );
    expect(logs('copilot').stdout).toContain(
      '↻ model request failed (attempt 1): 503 The server is overloaded, please try again later.',
    );
    expect(logs('gemini').stderr).toContain('Attempt 1 failed with status 503. Retrying with backoff...');
  });
});

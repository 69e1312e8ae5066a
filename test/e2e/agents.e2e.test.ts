import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO, dropTask, FAST_DAEMON, inProcessDaemon, makeWorkspace, type Workspace } from '../helpers/workspace.js';
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
// What each CLI's limited task asks of the model server, so that the 429 reaches orchestrate:
// claude's and codex's own retries are switched off; copilot retries 5 times by itself (~5 s), so its
// first 6 requests are refused; gemini does not retry a daily quota (its model router asks first, so
// 2); qwen does not retry a quota that names its reset time (its SDK's retries are switched off).
const LIMITED: Record<string, string> = { claude: 'RATE_LIMIT_1', codex: 'RATE_LIMIT_1', copilot: 'RATE_LIMIT_6', gemini: 'RATE_LIMIT_2', qwen: 'QUOTA_EXHAUSTED_1' };
const task = (state: string, id: string) => parse(readFileSync(join(ws.root, 'tasks', state, `${id}.yaml`), 'utf8'));

// Each CLI's environment: its own empty HOME and our server as its API.
function cliEnv(name: string, api: Record<string, string>): string {
  const home = mkdtempSync(join(tmpdir(), `${name}-home-`));
  mkdirSync(home, { recursive: true });
  return JSON.stringify({ PATH: `${CLI_BIN}:${process.env.PATH}`, HOME: home, ...api });
}

describe('orchestrate with the real agent CLIs', () => {
  it('runs the five CLIs at once: each calls its write tool and answers; a model error fails with the reason; a 429 parks the task', async () => {
    // No retries inside claude: a 429 must reach orchestrate, which parks the task.
    const claude = cliEnv('claude', { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-e2e', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_MAX_RETRIES: '0' });
    const copilot = cliEnv('copilot', { COPILOT_OFFLINE: 'true', COPILOT_PROVIDER_BASE_URL: `${server.url}/v1`, COPILOT_PROVIDER_API_KEY: 'sk-e2e', COPILOT_MODEL: 'mock-model' });
    const gemini = cliEnv('gemini', { GEMINI_API_KEY: 'e2e', GOOGLE_GEMINI_BASE_URL: server.url });
    // gemini wants its auth method chosen, and asks before trusting a folder: settings say both.
    const geminiHome = (JSON.parse(gemini) as { HOME: string }).HOME;
    mkdirSync(join(geminiHome, '.gemini'), { recursive: true });
    writeFileSync(join(geminiHome, '.gemini/settings.json'), JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } } }));
    // codex reads its model provider from $CODEX_HOME/config.toml.
    const codexHome = mkdtempSync(join(tmpdir(), 'codex-home-'));
    writeFileSync(join(codexHome, 'config.toml'), `model = "mock-model"\nmodel_provider = "e2e"\n[model_providers.e2e]\nname = "e2e"\nbase_url = "${server.url}/v1"\nwire_api = "responses"\nenv_key = "E2E_API_KEY"\nrequest_max_retries = 0\nstream_max_retries = 0\n`);
    const codex = cliEnv('codex', { CODEX_HOME: codexHome, E2E_API_KEY: 'sk-e2e' });
    const qwen = cliEnv('qwen', { OPENAI_API_KEY: 'sk-e2e', OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_MODEL: 'mock-model', QWEN_CODE_SUPPRESS_YOLO_WARNING: '1' });
    // qwen's OpenAI SDK would retry even a quota that qwen itself gives up on: settings switch that off.
    const qwenHome = (JSON.parse(qwen) as { HOME: string }).HOME;
    mkdirSync(join(qwenHome, '.qwen'), { recursive: true });
    writeFileSync(join(qwenHome, '.qwen/settings.json'), JSON.stringify({ model: { generationConfig: { maxRetries: 0 } } }));
    ws = makeWorkspace(
      [
        'max_concurrent: 10',
        'agents:',
        `  claude: { preset: claude, max_instances: 2, timeout: 4m, env: ${claude} }`,
        `  qwen: { preset: qwen, max_instances: 2, timeout: 2m, args: [--auth-type, openai], env: ${qwen} }`,
        `  copilot: { preset: copilot, max_instances: 2, timeout: 4m, env: ${copilot} }`,
        `  gemini: { preset: gemini, max_instances: 2, timeout: 4m, env: ${gemini} }`,
        `  codex: { preset: codex, max_instances: 2, timeout: 4m, env: ${codex} }`,
        // codex names no reset time for a 429: the pause is limit_backoff.
        'defaults: { max_retries: 0, limit_backoff: 1s }',
        FAST_DAEMON,
      ].join('\n'),
    );
    for (const cli of CLIS) {
      dropTask(ws.root, `hello-${cli}`, `description: Create a file named ${cli}.txt with content HELLO FROM ${cli}\nagent: ${cli}\n`);
      dropTask(ws.root, `broken-${cli}`, `description: MODEL_ERROR on purpose\nagent: ${cli}\n`);
    }
    for (const [cli, limit] of Object.entries(LIMITED)) dropTask(ws.root, `limited-${cli}`, `description: ${limit} limited-${cli} Create a file named limited-${cli}.txt with content LATER\nagent: ${cli}\n`);
    await inProcessDaemon(ws.root, { untilIdle: true }).done;

    // A 429 parked the task (no retry used: max_retries is 0) until the reset, then it ran.
    for (const cli of Object.keys(LIMITED)) {
      const limited = task('completed', `limited-${cli}`);
      expect(limited.attempts.map((attempt: { outcome: string }) => attempt.outcome)).toEqual(['rate_limited', 'success']);
      expect(limited.attempts[0].error).toMatch(new RegExp(`^${cli} hit a usage or rate limit; it is paused until .*(429|daily quota)`, 's'));
      expect(readFileSync(join(ws.root, `limited-${cli}.txt`), 'utf8')).toBe('LATER');
    }
    // qwen passed on the reset time the quota named: the pause ended then.
    expect(task('completed', 'limited-qwen').attempts[0].error).toMatch(/paused until \d{4}-(\d\d-\d\d)T(\d\d:\d\d:\d\d)\.000Z .*will reset at \1 \2 UTC/s);

    for (const cli of CLIS) {
      expect(readFileSync(join(ws.root, `${cli}.txt`), 'utf8')).toBe(`HELLO FROM ${cli}`);
      const done = task('completed', `hello-${cli}`);
      expect(done.result).toMatchObject({ outcome: 'success', summary: `MOCK_DONE wrote ${cli}.txt`, tool_calls: 1 });
      // copilot's JSON output reports no token counts.
      if (cli !== 'copilot') expect(done.result.tokens_in).toBeGreaterThan(0);
      if (cli !== 'copilot') expect(done.result.tokens_out).toBeGreaterThan(0);
      expect(readFileSync(join(ws.root, done.result.output), 'utf8')).toBe(`MOCK_DONE wrote ${cli}.txt`);
      expect(task('failed', `broken-${cli}`).result).toMatchObject({ outcome: 'failed', error: expect.stringContaining('MODEL_ERROR asked for') });
    }
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO, dropTask, FAST_DAEMON, inProcessDaemon, makeWorkspace, type Workspace } from '../helpers/workspace.js';
import { startModelServer, type ModelServer } from './model-server.js';

// The real Claude Code CLI (installed by scripts/install-e2e-clis.mjs) against our model server.
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

const task = (state: string, id: string) => parse(readFileSync(join(ws.root, 'tasks', state, `${id}.yaml`), 'utf8'));

describe('orchestrate with the real claude CLI', () => {
  it('runs tasks that make claude call its Write tool, records the answer and tokens, and fails a model error with the reason', async () => {
    const home = mkdtempSync(join(tmpdir(), 'claude-home-'));
    const env = {
      PATH: `${CLI_BIN}:${process.env.PATH}`,
      HOME: home,
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-e2e-test',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    };
    ws = makeWorkspace(`max_concurrent: 2\nagents:\n  claude: { preset: claude, max_instances: 2, timeout: 2m, env: ${JSON.stringify(env)} }\ndefaults: { agent: claude, max_retries: 0 }\n${FAST_DAEMON}`);
    dropTask(ws.root, 'hello', 'description: Create a file named hello.txt with content HELLO FROM claude\n');
    dropTask(ws.root, 'broken', 'description: MODEL_ERROR on purpose\n');
    await inProcessDaemon(ws.root, { untilIdle: true }).done;

    expect(readFileSync(join(ws.root, 'hello.txt'), 'utf8')).toBe('HELLO FROM claude');
    const done = task('completed', 'hello');
    expect(done.result).toMatchObject({ outcome: 'success', summary: 'MOCK_DONE wrote hello.txt', tool_calls: 1 });
    expect(done.result.tokens_in).toBeGreaterThan(0);
    expect(done.result.tokens_out).toBeGreaterThan(0);
    expect(readFileSync(join(ws.root, done.result.output), 'utf8')).toBe('MOCK_DONE wrote hello.txt');

    const failed = task('failed', 'broken');
    expect(failed.result).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/400.*MODEL_ERROR asked for/) });
    expect(server.requests.some((request) => request.startsWith('POST /v1/messages'))).toBe(true);
  });
});

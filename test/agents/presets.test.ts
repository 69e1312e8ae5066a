import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetFor } from '../../src/agents/presets.js';
import { addViews, emptyProgress, viewsOf } from '../../src/agents/progress.js';
import type { LaunchContext } from '../../src/agents/preset.js';
import { validateConfig } from '../../src/core/config-schema.js';
import { PRESET_NAMES } from '../../src/agents/presets.js';

// Real output of each CLI (from ../shared/agent-samples), each run writing hello.txt and answering.
const sample = (name: string) =>
  readFileSync(join(import.meta.dirname, '../fixtures/agent-samples', `${name}.stream.jsonl`), 'utf8');
const agentConfig = (preset: string, extra: Record<string, unknown> = {}) => {
  const validation = validateConfig({ agents: { a: { preset, ...extra } } }, PRESET_NAMES);
  if (!validation.ok) throw new Error(validation.problems.map((problem) => problem.message).join('; '));
  return validation.config.agents.a!;
};
const context = (preset: string, extra: Record<string, unknown> = {}): LaunchContext => ({
  taskId: 't1',
  task: { description: 'Create hello.txt' },
  prompt: 'Create a file named hello.txt\nwith "quotes" and $(not a subshell)',
  promptFile: '/w/.orchestrate/runs/t1/1/prompt.md',
  workdir: '/w',
  agent: agentConfig(preset, extra),
});

describe('AI presets read their CLI’s real output', () => {
  it.each([
    ['claude', { tokens_in: 20, tokens_out: 10, cost_usd: 0.00028, turns: 2, tool_calls: 1 }],
    ['codex', { tokens_in: 20, tokens_out: 10, turns: 1, tool_calls: 1 }],
    ['gemini', { tokens_in: 30, tokens_out: 15, tool_calls: 1 }],
    ['qwen', { tokens_in: 20, tokens_out: 10, turns: 2, tool_calls: 1 }],
    ['copilot', { turns: 2, tool_calls: 1 }],
  ])('%s: success, the final answer, tokens, turns and tool calls', (name, usage) => {
    const report = presetFor(agentConfig(name)).read({ stdout: sample(name), stderr: '', exitCode: 0 });
    expect(report).toMatchObject({
      success: true,
      answer: 'MOCK_DONE wrote hello.txt',
      summary: 'MOCK_DONE wrote hello.txt',
    });
    expect(report.error).toBeUndefined();
    expect(report.usage).toEqual(usage);
  });

  it('claude: an API error is a failure even though subtype says success', () => {
    const stdout = `${JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: 'API Error: 400 bad request', num_turns: 1, api_error_status: 400 })}\n`;
    const report = presetFor(agentConfig('claude')).read({ stdout, stderr: '', exitCode: 1 });
    expect(report).toMatchObject({ success: false, error: 'API Error: 400 bad request', answer: '' });
  });

  it('qwen: an API error under error.message is the reason', () => {
    const stdout = `${JSON.stringify({ type: 'result', subtype: 'error_during_execution', is_error: true, num_turns: 1, error: { message: '[API Error: 400 bad request]' } })}\n`;
    expect(presetFor(agentConfig('qwen')).read({ stdout, stderr: '', exitCode: 1 })).toMatchObject({
      success: false,
      error: '[API Error: 400 bad request]',
    });
  });

  it('codex: a failed turn is a failure with its message', () => {
    const stdout = [
      '{"type":"thread.started"}',
      '{"type":"turn.started"}',
      '{"type":"turn.failed","error":{"message":"unexpected status 400"}}',
    ].join('\n');
    const report = presetFor(agentConfig('codex')).read({ stdout, stderr: '', exitCode: 1 });
    expect(report).toMatchObject({ success: false, error: 'unexpected status 400' });
  });

  it('gemini: an error status and exit 144 are a failure', () => {
    const stdout =
      '{"type":"result","status":"error","error":{"type":"ApiError","message":"[API Error: 400]"},"stats":{"input_tokens":3}}\n';
    const report = presetFor(agentConfig('gemini')).read({ stdout, stderr: '', exitCode: 144 });
    expect(report).toMatchObject({ success: false, error: '[API Error: 400]', usage: { tokens_in: 3 } });
  });

  it('a CLI that dies without a result fails with its last stderr line, and garbage lines are skipped', () => {
    const stdout = `not json\n{"type":"assistant","message":{"content":[{"type":"tool_use"}]}}\n{"type":"resu`;
    const report = presetFor(agentConfig('claude')).read({
      stdout,
      stderr: 'Error: connect ECONNREFUSED 127.0.0.1:9\n',
      exitCode: 1,
    });
    expect(report).toMatchObject({
      success: false,
      error: 'Error: connect ECONNREFUSED 127.0.0.1:9',
      usage: { tool_calls: 1 },
    });
  });

  it('gemini refusing a folder nobody trusted: the error is its stderr line without the colour codes', () => {
    const stderr =
      'YOLO mode is enabled. All tool calls will be automatically approved.\nApproval mode overridden to "default" because the current folder is not trusted.\n\u001b[31mGemini CLI is not running in a trusted directory. To proceed, either use `--skip-trust`, set the `GEMINI_CLI_TRUST_WORKSPACE=true` environment variable, or trust this directory in interactive mode.\u001b[0m\n';
    const report = presetFor(agentConfig('gemini')).read({ stdout: '', stderr, exitCode: 55 });
    expect(report.error).toBe(
      'Gemini CLI is not running in a trusted directory. To proceed, either use `--skip-trust`, set the `GEMINI_CLI_TRUST_WORKSPACE=true` environment variable, or trust this directory in interactive mode.',
    );
  });

  it("a CLI's coloured error message is recorded as text", () => {
    const stdout = `${JSON.stringify({ type: 'result', subtype: 'success', is_error: true, result: '\u001b[1m\u001b[31mAPI Error:\u001b[39m 500 boom\u001b[22m' })}\n`;
    expect(presetFor(agentConfig('claude')).read({ stdout, stderr: '', exitCode: 1 }).error).toBe(
      'API Error: 500 boom',
    );
  });

  it('codex without a key says to log in or set CODEX_API_KEY (what `codex exec` reads)', () => {
    const stdout =
      '{"type":"turn.failed","error":{"message":"unexpected status 401 Unauthorized: Missing bearer authentication in header"}}\n';
    expect(presetFor(agentConfig('codex')).read({ stdout, stderr: '', exitCode: 1 }).error).toMatch(
      /^codex is not logged in: run `codex login`, or set CODEX_API_KEY \(/,
    );
  });

  it('exit 0 without a result event is still a failure', () => {
    const report = presetFor(agentConfig('copilot')).read({ stdout: '', stderr: '', exitCode: 0 });
    expect(report).toMatchObject({ success: false, error: 'copilot ended without reporting a result' });
  });
});

describe('AI presets build a headless, full-permission argv', () => {
  it.each([
    [
      'claude',
      ['claude', '-p', '{prompt}', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'],
    ],
    [
      'codex',
      ['codex', 'exec', '--json', '--dangerously-bypass-approvals-and-sandbox', '--skip-git-repo-check', '{prompt}'],
    ],
    ['gemini', ['gemini', '-p', '{prompt}', '-y', '--skip-trust', '--output-format', 'stream-json']],
    ['qwen', ['qwen', '--approval-mode', 'yolo', '--output-format', 'stream-json', '{prompt}']],
    [
      'copilot',
      ['copilot', '-p', '{prompt}', '--allow-all', '--no-ask-user', '--output-format', 'json', '--no-auto-update'],
    ],
  ])('%s', (name, expected) => {
    const launch = presetFor(agentConfig(name)).launch(context(name));
    const ctx = context(name);
    expect(launch.kind).toBe('exec');
    // The prompt is one argv word, exactly as written: no shell ever sees it.
    if (launch.kind === 'exec')
      expect(launch.argv).toEqual(expected.map((word) => (word === '{prompt}' ? ctx.prompt : word)));
  });

  it('adds the configured model and extra args', () => {
    const launch = presetFor(agentConfig('claude')).launch(
      context('claude', { model: 'opus', args: ['--max-turns', '5'] }),
    );
    expect(launch.kind === 'exec' && launch.argv.slice(-4)).toEqual(['--model', 'opus', '--max-turns', '5']);
    const codex = presetFor(agentConfig('codex')).launch(context('codex', { model: 'gpt-5' }));
    expect(codex.kind === 'exec' && codex.argv.slice(-3)).toEqual(['--model', 'gpt-5', context('codex').prompt]);
  });

  it("passes a role's system prompt with claude's flag, and in front of the prompt for the others", () => {
    const claude = presetFor(agentConfig('claude')).launch({ ...context('claude'), systemPrompt: 'You review code.' });
    expect(claude.kind === 'exec' && claude.argv.slice(-2)).toEqual(['--append-system-prompt', 'You review code.']);
    const codex = presetFor(agentConfig('codex')).launch({ ...context('codex'), systemPrompt: 'You review code.' });
    expect(codex.kind === 'exec' && codex.argv.at(-1)).toBe(
      `## Your role\n\nYou review code.\n\n${context('codex').prompt}`,
    );
  });

  it('names how to install each CLI', () => {
    expect(presetFor(agentConfig('claude')).install).toBe('npm install -g @anthropic-ai/claude-code');
    for (const name of ['codex', 'gemini', 'qwen', 'copilot'])
      expect(presetFor(agentConfig(name)).install).toMatch(/^npm install -g @/);
  });
});

describe('the live view of a streaming agent', () => {
  it.each([
    [
      'claude',
      {
        turns: 2,
        tool_calls: 1,
        tokens_in: 20,
        tokens_out: 10,
        cost_usd: 0.00028,
        last_message: 'MOCK_DONE wrote hello.txt',
      },
    ],
    ['codex', { turns: 1, tool_calls: 1, tokens_in: 20, tokens_out: 10, last_message: 'MOCK_DONE wrote hello.txt' }],
    ['gemini', { turns: 0, tool_calls: 1, tokens_in: 30, tokens_out: 15, last_message: 'success' }],
    ['qwen', { turns: 2, tool_calls: 1, tokens_in: 20, tokens_out: 10, last_message: 'MOCK_DONE wrote hello.txt' }],
    ['copilot', { turns: 2, tool_calls: 1, last_message: 'done' }],
  ])('%s: turns, tool calls, tokens and the last line, from the stream', (name, expected) => {
    const progress = addViews(emptyProgress(), viewsOf(presetFor(agentConfig(name)), sample(name)));
    expect(progress).toEqual(expected);
  });

  it("shows gemini's warning and error events (its stream's `error` type, by severity)", () => {
    const stream = [
      '{"type":"error","timestamp":"2026-12-07T23:45:14.285Z","severity":"warning","message":"Loop detected, stopping execution"}',
      '{"type":"error","timestamp":"2026-12-07T23:45:15.285Z","severity":"error","message":"Maximum session turns exceeded"}',
    ].join('\n');
    expect(viewsOf(presetFor(agentConfig('gemini')), stream)).toEqual([
      { kind: 'message', text: 'warning: Loop detected, stopping execution' },
      { kind: 'error', text: 'Maximum session turns exceeded' },
    ]);
  });

  it('shows a tool call as an arrow and the argument that says the most', () => {
    const views = viewsOf(presetFor(agentConfig('claude')), sample('claude'));
    expect(views.filter((view) => view.kind === 'tool').map((view) => view.text)).toEqual([
      'Write /home/user/project/hello.txt',
    ]);
    expect(addViews(emptyProgress(), views.slice(0, 1)).last_message).toBe('→ Write /home/user/project/hello.txt');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presetFor } from '../../src/agents/presets.js';
import { addViews, emptyProgress, stderrViewsOf, viewsOf } from '../../src/agents/progress.js';
import { validateConfig } from '../../src/core/config-schema.js';
import { PRESET_NAMES } from '../../src/agents/presets.js';

// Real output of each CLI while the model server failed its first requests (*.retry.*: 529 or 503,
// then the run succeeded) or could not be reached at all (*.refused.*: a wrong base URL; stopped by a timeout).
const sample = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/agent-samples', name), 'utf8');
const preset = (name: string) => {
  const validation = validateConfig({ agents: { a: { preset: name } } }, PRESET_NAMES);
  if (!validation.ok) throw new Error('bad config');
  return presetFor(validation.config.agents.a!);
};
const retries = (name: string, file: string) =>
  viewsOf(preset(name), sample(file))
    .filter((view) => view.kind === 'retry')
    .map((view) => view.text);

describe("each CLI's retries of a failed model request, as logs and the live line show them", () => {
  it('claude: its api_retry events, with the attempt of its max and the HTTP status', () => {
    expect(retries('claude', 'claude.retry.jsonl')).toEqual([
      'retrying (attempt 1/10): 529 overloaded',
      'retrying (attempt 2/10): 529 overloaded',
    ]);
    expect(preset('claude').read({ stdout: sample('claude.retry.jsonl'), stderr: '', exitCode: 0 })).toMatchObject({
      success: true,
      answer: 'MOCK_DONE wrote p.txt',
    });
  });

  it('claude: a wrong base URL is retried without an HTTP status, and the live line says so', () => {
    const seen = retries('claude', 'claude.refused.jsonl');
    expect(seen).toHaveLength(8);
    expect(seen[2]).toBe('retrying (attempt 3/10): no answer from the API');
    const progress = addViews(emptyProgress(), viewsOf(preset('claude'), sample('claude.refused.jsonl')));
    expect(progress).toMatchObject({
      turns: 0,
      tool_calls: 0,
      last_message: 'retrying (attempt 8/10): no answer from the API',
    });
  });

  it('codex: its "Reconnecting..." error events are retries, not the failure of a run that then succeeded', () => {
    expect(retries('codex', 'codex.retry.jsonl')).toEqual([
      expect.stringMatching(
        /^retrying \(attempt 1\/5\): unexpected status 503 Service Unavailable: failing on purpose \(503\), url: /,
      ),
    ]);
    const report = preset('codex').read({ stdout: sample('codex.retry.jsonl'), stderr: '', exitCode: 0 });
    expect(report).toMatchObject({
      success: true,
      answer: 'MOCK_DONE wrote p.txt',
      usage: { turns: 1, tool_calls: 1 },
    });
    expect(report.error).toBeUndefined();
  });

  it('codex: a wrong base URL, retried over WebSockets and then while "waiting for network"', () => {
    const seen = retries('codex', 'codex.refused.jsonl');
    expect(seen[0]).toBe(
      'retrying (attempt 2/5): stream disconnected before completion: Connection refused (os error 111)',
    );
    expect(seen.at(-1)).toBe('retrying (waiting for network): Connection failed: error sending request');
  });

  it('copilot: each failed model request, with its status and the API’s message', () => {
    expect(retries('copilot', 'copilot.retry.jsonl')).toEqual([
      'model request failed (attempt 1): 503 failing on purpose (503)',
      'model request failed (attempt 2): 503 failing on purpose (503)',
    ]);
    expect(preset('copilot').read({ stdout: sample('copilot.retry.jsonl'), stderr: '', exitCode: 0 })).toMatchObject({
      success: true,
    });
    const refused = preset('copilot').read({ stdout: sample('copilot.refused.jsonl'), stderr: '', exitCode: 1 });
    expect(retries('copilot', 'copilot.refused.jsonl')[5]).toMatch(
      /^model request failed \(attempt 6\): Failed native model HTTP request: .*Connection refused/,
    );
    expect(refused).toMatchObject({
      success: false,
      error:
        'Could not connect to local model provider at http://127.0.0.1:9/v1.\n  Check that the service is running and the port is correct.',
    });
  });

  it('gemini: only its stderr tells of retries; they are read from there', () => {
    expect(retries('gemini', 'gemini.retry.jsonl')).toEqual([]);
    const fromStderr = (file: string) =>
      stderrViewsOf(preset('gemini'), sample(file)).map((view) => `${view.kind}: ${view.text}`);
    expect(fromStderr('gemini.retry.stderr')).toEqual([
      'retry: retrying (attempt 1): 503 The model is overloaded. Please try again later.',
    ]);
    expect(fromStderr('gemini.refused.stderr')).toEqual([
      ...[1, 2, 3, 4].map((n) => `retry: retrying (attempt ${n}): exception TypeError: fetch failed sending request`),
      'retry: retrying (attempt 1): exception TypeError: fetch failed sending request',
    ]);
  });

  it('gemini: a retry it waits out for a quota', () => {
    const views = stderrViewsOf(
      preset('gemini'),
      'Attempt 2 failed: You have exhausted your capacity on this model. Retrying after 5123ms...\n',
    );
    expect(views).toEqual([
      { kind: 'retry', text: 'retrying (attempt 2): You have exhausted your capacity on this model' },
    ]);
  });
});

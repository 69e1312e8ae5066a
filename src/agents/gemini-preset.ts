import { extraArgs } from './claude-preset.js';
import { jsonLines, numberAt, streamReport, stringAt } from './json-lines.js';
import type { AgentPreset, AgentReport, RunOutput } from './preset.js';

// gemini's stream: assistant `message` deltas, then a `result` event with `status` and `stats`.
function readGeminiStream(output: RunOutput): AgentReport {
  const events = jsonLines(output.stdout);
  const answer = events
    .filter((event) => event.type === 'message' && event.role === 'assistant')
    .map((event) => stringAt(event, 'content') ?? '')
    .join('');
  const result = events.findLast((event) => event.type === 'result');
  const status = stringAt(result, 'status');
  return streamReport(
    output,
    {
      ok: status === 'success',
      answer,
      error: stringAt(result, 'error', 'message') ?? (status && status !== 'success' ? `gemini reported ${status}` : undefined),
      usage: {
        tokens_in: numberAt(result, 'stats', 'input_tokens'),
        tokens_out: numberAt(result, 'stats', 'output_tokens'),
        tool_calls: numberAt(result, 'stats', 'tool_calls'),
      },
    },
    { name: 'gemini', authHint: 'gemini is not authenticated: run `gemini` once and log in, or set GEMINI_API_KEY' },
  );
}

// Gemini CLI, headless: `gemini -p PROMPT -y --output-format stream-json` (-y: accept every tool call).
export const geminiPreset: AgentPreset = {
  name: 'gemini',
  install: 'npm install -g @google/gemini-cli',
  launch: ({ prompt, agent }) => ({ kind: 'exec', argv: ['gemini', '-p', prompt, '-y', '--output-format', 'stream-json', ...extraArgs(agent)] }),
  read: readGeminiStream,
};

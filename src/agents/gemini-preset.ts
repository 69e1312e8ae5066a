import { extraArgs, promptWithRole } from './launch-args.js';
import { field, jsonLines, numberAt, streamReport, stringAt, toolText, type JsonEvent } from './json-lines.js';
import type { AgentPreset, AgentReport, EventView, RunOutput } from './preset.js';

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

// gemini's events for people: the assistant's text (sent in pieces), tool calls, the result.
function viewGeminiEvent(event: JsonEvent): EventView[] {
  if (event.type === 'message' && event.role === 'assistant') return [{ kind: 'message', text: stringAt(event, 'content') ?? '' }];
  if (event.type === 'tool_use') return [{ kind: 'tool', text: toolText(field(event, 'tool_name'), field(event, 'parameters')) }];
  if (event.type === 'result') {
    return [
      {
        kind: stringAt(event, 'status') === 'success' ? 'result' : 'error',
        text: stringAt(event, 'error', 'message') ?? stringAt(event, 'status') ?? '',
        totals: { tokens_in: numberAt(event, 'stats', 'input_tokens'), tokens_out: numberAt(event, 'stats', 'output_tokens') },
      },
    ];
  }
  return [];
}

// Gemini CLI, headless: `gemini -p PROMPT -y --output-format stream-json` (-y: accept every tool call).
export const geminiPreset: AgentPreset = {
  name: 'gemini',
  install: 'npm install -g @google/gemini-cli',
  launch: (context) => ({ kind: 'exec', argv: ['gemini', '-p', promptWithRole(context), '-y', '--output-format', 'stream-json', ...extraArgs(context.agent)] }),
  read: readGeminiStream,
  view: viewGeminiEvent,
};

import { extraArgs, promptWithRole } from './launch-args.js';
import { field, jsonLines, numberAt, streamReport, stringAt, toolText, type JsonEvent } from './json-lines.js';
import type { AgentPreset, AgentReport, EventView, RunOutput } from './preset.js';
import { retryView } from './retry-view.js';

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
      error:
        stringAt(result, 'error', 'message') ??
        (status && status !== 'success' ? `gemini reported ${status}` : undefined),
      usage: {
        tokens_in: numberAt(result, 'stats', 'input_tokens'),
        tokens_out: numberAt(result, 'stats', 'output_tokens'),
        tool_calls: numberAt(result, 'stats', 'tool_calls'),
      },
    },
    { name: 'gemini', authHint: 'gemini is not authenticated: run `gemini` once and log in, or set GEMINI_API_KEY' },
  );
}

// gemini's events for people: the assistant's text (sent in pieces), tool calls, warnings and errors, the result.
function viewGeminiEvent(event: JsonEvent): EventView[] {
  if (event.type === 'message' && event.role === 'assistant')
    return [{ kind: 'message', text: stringAt(event, 'content') ?? '' }];
  if (event.type === 'error') {
    const message = stringAt(event, 'message') ?? 'error';
    return [
      stringAt(event, 'severity') === 'error'
        ? { kind: 'error', text: message }
        : { kind: 'message', text: `warning: ${message}` },
    ];
  }
  if (event.type === 'tool_use')
    return [{ kind: 'tool', text: toolText(field(event, 'tool_name'), field(event, 'parameters')) }];
  if (event.type === 'result') {
    return [
      {
        kind: stringAt(event, 'status') === 'success' ? 'result' : 'error',
        text: stringAt(event, 'error', 'message') ?? stringAt(event, 'status') ?? '',
        totals: {
          tokens_in: numberAt(event, 'stats', 'input_tokens'),
          tokens_out: numberAt(event, 'stats', 'output_tokens'),
        },
      },
    ];
  }
  return [];
}

// gemini logs each retry of a model request to stderr only (its stream has no event for it):
// "Attempt 1 failed with status 503. Retrying with backoff... _ApiError: {...}", or "Attempt 2
// failed: <why>. Retrying after 5000ms...".
const RETRY_WITH_BACKOFF = /^Attempt (\d+) failed(?: with status (\d+))?[^.]*\. Retrying with backoff\.\.\.\s*(.*)$/;
const RETRY_AFTER = /^Attempt (\d+) failed: (.*)\. Retrying after \d+ms\.\.\.$/;

// The message of the error gemini printed after the retry line: the API's error body, or its text.
function errorText(printed: string): string {
  const text = printed.replace(/^\w*Error: /, '');
  try {
    return stringAt(JSON.parse(text), 'error', 'message') ?? text;
  } catch {
    return text;
  }
}

function viewGeminiStderr(line: string): EventView[] {
  const backoff = RETRY_WITH_BACKOFF.exec(line);
  if (backoff)
    return [
      retryView(`attempt ${backoff[1]}`, `${backoff[2] ? `${backoff[2]} ` : ''}${errorText(backoff[3]!)}`.trim()),
    ];
  const after = RETRY_AFTER.exec(line);
  return after ? [retryView(`attempt ${after[1]}`, after[2]!)] : [];
}

// Gemini CLI, headless: `gemini -p PROMPT -y --skip-trust --output-format stream-json` (-y: accept
// every tool call; --skip-trust: run in a folder nobody trusted interactively, as headless runs must).
export const geminiPreset: AgentPreset = {
  name: 'gemini',
  install: 'npm install -g @google/gemini-cli',
  launch: (context) => ({
    kind: 'exec',
    argv: [
      'gemini',
      '-p',
      promptWithRole(context),
      '-y',
      '--skip-trust',
      '--output-format',
      'stream-json',
      ...extraArgs(context.agent),
    ],
  }),
  read: readGeminiStream,
  view: viewGeminiEvent,
  viewStderr: viewGeminiStderr,
};

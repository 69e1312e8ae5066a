import { extraArgs, promptWithRole } from './launch-args.js';
import { field, jsonLines, numberAt, streamReport, stringAt, toolText, type JsonEvent } from './json-lines.js';
import type { AgentPreset, AgentReport, EventView, RunOutput } from './preset.js';

// copilot's stream: `assistant.message` events, tool executions, then a `result` event with `exitCode`.
function readCopilotStream(output: RunOutput): AgentReport {
  const events = jsonLines(output.stdout);
  const messages = events
    .filter((event) => event.type === 'assistant.message')
    .map((event) => stringAt(event, 'data', 'content') ?? '');
  const result = events.findLast((event) => event.type === 'result');
  const failure = events.findLast((event) => event.type === 'session.error');
  return streamReport(
    output,
    {
      ok: numberAt(result, 'exitCode') === 0 && failure === undefined,
      answer: messages.findLast((message) => message !== '') ?? '',
      error: stringAt(failure, 'data', 'message'),
      usage: {
        turns: events.filter((event) => event.type === 'assistant.turn_end').length,
        tool_calls: events.filter((event) => event.type === 'tool.execution_complete').length,
      },
    },
    { name: 'copilot', authHint: 'copilot is not logged in: run `copilot` and use /login, or set GH_TOKEN' },
  );
}

// A failed model request: copilot retries it (5 times) unless it was the last, and says so after.
// Its `errorMessage` is JSON: the API's error body, or a string saying why there was none.
function viewCallFailure(event: JsonEvent): EventView {
  const raw = stringAt(event, 'data', 'errorMessage') ?? '';
  let message = raw;
  try {
    const parsed: unknown = JSON.parse(raw);
    message = typeof parsed === 'string' ? parsed : (stringAt(parsed, 'message') ?? raw);
  } catch {
    // Not JSON: the text as it is.
  }
  const status = numberAt(event, 'data', 'statusCode');
  return {
    kind: 'retry',
    text: `model request failed (attempt ${(numberAt(event, 'data', 'retryAttempt') ?? 0) + 1}): ${status === undefined ? '' : `${status} `}${message}`,
  };
}

// copilot's events for people: turns, the assistant's messages, tool executions, failed model
// requests, the result.
function viewCopilotEvent(event: JsonEvent): EventView[] {
  switch (event.type) {
    case 'model.call_failure':
      return [viewCallFailure(event)];
    case 'assistant.turn_start':
      return [{ kind: 'message', text: '', turn: true }];
    case 'assistant.message':
      return [{ kind: 'message', text: stringAt(event, 'data', 'content') ?? '' }];
    case 'tool.execution_start':
      return [{ kind: 'tool', text: toolText(field(event, 'data', 'toolName'), field(event, 'data', 'arguments')) }];
    case 'session.error':
      return [{ kind: 'error', text: stringAt(event, 'data', 'message') ?? 'error' }];
    case 'result':
      return numberAt(event, 'exitCode') === 0
        ? [{ kind: 'result', text: 'done' }]
        : [{ kind: 'error', text: `exit code ${numberAt(event, 'exitCode') ?? '?'}` }];
    default:
      return [];
  }
}

// GitHub Copilot CLI, headless: `copilot -p PROMPT --allow-all --no-ask-user --output-format json`.
export const copilotPreset: AgentPreset = {
  name: 'copilot',
  install: 'npm install -g @github/copilot',
  launch: (context) => ({
    kind: 'exec',
    argv: [
      'copilot',
      '-p',
      promptWithRole(context),
      '--allow-all',
      '--no-ask-user',
      '--output-format',
      'json',
      '--no-auto-update',
      ...extraArgs(context.agent),
    ],
  }),
  read: readCopilotStream,
  view: viewCopilotEvent,
};

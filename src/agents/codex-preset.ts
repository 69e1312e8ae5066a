import { extraArgs, promptWithRole } from './launch-args.js';
import { field, jsonLines, numberAt, streamReport, stringAt, sum, toolText, type JsonEvent } from './json-lines.js';
import type { AgentPreset, AgentReport, EventView, RunOutput } from './preset.js';
import { retryView } from './retry-view.js';

const NOT_TOOLS = new Set(['agent_message', 'reasoning', 'error']);

// codex reports each retry of a failed model request as an `error` event: "Reconnecting... 2/5
// (stream disconnected ...)", or "Reconnecting... waiting for network (...)" while it cannot connect.
const RECONNECTING = /^Reconnecting\.\.\.\s*(\d+\/\d+|[^(]*?)\s*\((.*)\)\s*$/s;

function reconnecting(event: JsonEvent): RegExpExecArray | null {
  return event.type === 'error' ? RECONNECTING.exec(stringAt(event, 'message') ?? '') : null;
}

// codex's stream: `turn.completed` (with usage) or `turn.failed`; the answer is the last agent_message.
function readCodexStream(output: RunOutput): AgentReport {
  const events = jsonLines(output.stdout);
  const items = events.filter((event) => event.type === 'item.completed').map((event) => event.item);
  const turns = events.filter((event) => event.type === 'turn.completed');
  // A retry is not the end: only `turn.failed`, or an `error` codex does not retry, is a failure.
  const failure = events.findLast(
    (event) => event.type === 'turn.failed' || (event.type === 'error' && !reconnecting(event)),
  );
  const answer =
    stringAt(
      items.findLast((item) => field(item, 'type') === 'agent_message'),
      'text',
    ) ?? '';
  return streamReport(
    output,
    {
      ok: turns.length > 0 && failure === undefined,
      answer,
      error: stringAt(failure, 'error', 'message') ?? stringAt(failure, 'message'),
      usage: {
        tokens_in: sum(...turns.map((turn) => numberAt(turn, 'usage', 'input_tokens'))),
        tokens_out: sum(...turns.map((turn) => numberAt(turn, 'usage', 'output_tokens'))),
        turns: turns.length,
        tool_calls: items.filter((item) => !NOT_TOOLS.has(String(field(item, 'type')))).length,
      },
    },
    { name: 'codex', authHint: 'codex is not logged in: run `codex login`, or set CODEX_API_KEY' },
  );
}

// codex's events for people: commands, file changes and messages as they complete; each turn's
// usage; its retries.
function viewCodexEvent(event: JsonEvent): EventView[] {
  const item = event.item;
  const retry = reconnecting(event);
  if (retry) return [retryView(/^\d/.test(retry[1]!) ? `attempt ${retry[1]}` : retry[1]!, retry[2]!)];
  switch (event.type) {
    case 'turn.started':
      return [{ kind: 'message', text: '', turn: true }];
    case 'turn.completed':
      return [
        {
          kind: 'message',
          text: '',
          tokens_in: numberAt(event, 'usage', 'input_tokens'),
          tokens_out: numberAt(event, 'usage', 'output_tokens'),
        },
      ];
    case 'turn.failed':
    case 'error':
      return [{ kind: 'error', text: stringAt(event, 'error', 'message') ?? stringAt(event, 'message') ?? 'error' }];
    case 'item.completed':
      if (field(item, 'type') === 'agent_message') return [{ kind: 'message', text: stringAt(item, 'text') ?? '' }];
      if (field(item, 'type') === 'command_execution') return [{ kind: 'tool', text: toolText('shell', item) }];
      if (field(item, 'type') === 'file_change') {
        const changes = field(item, 'changes');
        const paths = Array.isArray(changes)
          ? changes.map((change) => `${String(field(change, 'kind'))} ${String(field(change, 'path'))}`)
          : [];
        return [{ kind: 'tool', text: `edit ${paths.join(', ')}` }];
      }
      return NOT_TOOLS.has(String(field(item, 'type'))) ? [] : [{ kind: 'tool', text: String(field(item, 'type')) }];
    default:
      return [];
  }
}

// Codex CLI, headless: `codex exec --json --dangerously-bypass-approvals-and-sandbox PROMPT`
// (standard input is /dev/null, so it does not wait for more prompt there).
export const codexPreset: AgentPreset = {
  name: 'codex',
  install: 'npm install -g @openai/codex',
  launch: (context) => ({
    kind: 'exec',
    argv: [
      'codex',
      'exec',
      '--json',
      '--dangerously-bypass-approvals-and-sandbox',
      '--skip-git-repo-check',
      ...extraArgs(context.agent),
      promptWithRole(context),
    ],
  }),
  read: readCodexStream,
  view: viewCodexEvent,
};

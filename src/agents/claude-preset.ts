import {
  field,
  jsonLines,
  numberAt,
  streamReport,
  stringAt,
  sum,
  toolText,
  type JsonEvent,
  type StreamCli,
} from './json-lines.js';
import { extraArgs } from './launch-args.js';
import type { AgentPreset, AgentReport, EventView, RunOutput } from './preset.js';
import { retryView } from './retry-view.js';

function toolUses(events: JsonEvent[]): number {
  let count = 0;
  for (const event of events) {
    if (event.type !== 'assistant') continue;
    const content = field(event, 'message', 'content');
    if (Array.isArray(content)) count += content.filter((block) => field(block, 'type') === 'tool_use').length;
  }
  return count;
}

// claude's and qwen's stream: a final `result` event. `is_error` and the exit code decide, not
// `subtype` (an API error still says subtype "success").
export function readResultStream(output: RunOutput, cli: StreamCli): AgentReport {
  const events = jsonLines(output.stdout);
  const result = events.findLast((event) => event.type === 'result');
  const text = stringAt(result, 'result') ?? '';
  const failed = result === undefined || result.is_error === true;
  // qwen puts an API error under `error.message` and leaves `result` out.
  const reason = text || stringAt(result, 'error', 'message');
  const status = numberAt(result, 'api_error_status');
  return streamReport(
    output,
    {
      ok: !failed,
      answer: failed ? '' : text,
      error:
        result === undefined
          ? undefined
          : reason || (status ? `the model API answered ${status}` : `${cli.name} reported an error`),
      usage: {
        tokens_in: sum(
          numberAt(result, 'usage', 'input_tokens'),
          numberAt(result, 'usage', 'cache_creation_input_tokens'),
          numberAt(result, 'usage', 'cache_read_input_tokens'),
        ),
        tokens_out: numberAt(result, 'usage', 'output_tokens'),
        cost_usd: numberAt(result, 'total_cost_usd'),
        turns: numberAt(result, 'num_turns'),
        tool_calls: toolUses(events),
      },
    },
    cli,
  );
}

// claude's `api_retry` event: the attempt of its max, and the HTTP status and error kind (no status:
// the API could not be reached, as with a wrong ANTHROPIC_BASE_URL).
function viewApiRetry(event: JsonEvent): EventView {
  const max = numberAt(event, 'max_retries');
  const status = numberAt(event, 'error_status');
  const error = stringAt(event, 'error') ?? 'error';
  const reason =
    status === undefined ? `no answer from the API${error === 'unknown' ? '' : ` (${error})`}` : `${status} ${error}`;
  return retryView(`attempt ${numberAt(event, 'attempt') ?? '?'}${max === undefined ? '' : `/${max}`}`, reason);
}

// claude's and qwen's events for people: assistant text and tool calls, claude's retries, then the result.
export function viewResultStream(event: JsonEvent): EventView[] {
  if (event.type === 'system' && event.subtype === 'api_retry') return [viewApiRetry(event)];
  if (event.type === 'assistant') {
    const content = field(event, 'message', 'content');
    const views: EventView[] = (Array.isArray(content) ? content : []).flatMap((block): EventView[] => {
      if (field(block, 'type') === 'text') return [{ kind: 'message', text: stringAt(block, 'text') ?? '' }];
      if (field(block, 'type') === 'tool_use')
        return [{ kind: 'tool', text: toolText(field(block, 'name'), field(block, 'input')) }];
      return [];
    });
    const first: EventView = views[0] ?? { kind: 'message', text: '' };
    views[0] = {
      ...first,
      turn: true,
      tokens_in: numberAt(event, 'message', 'usage', 'input_tokens'),
      tokens_out: numberAt(event, 'message', 'usage', 'output_tokens'),
    };
    return views;
  }
  if (event.type === 'result') {
    const text = stringAt(event, 'result') ?? stringAt(event, 'error', 'message') ?? '';
    return [
      {
        kind: event.is_error === true ? 'error' : 'result',
        text,
        totals: {
          tokens_in: sum(
            numberAt(event, 'usage', 'input_tokens'),
            numberAt(event, 'usage', 'cache_creation_input_tokens'),
            numberAt(event, 'usage', 'cache_read_input_tokens'),
          ),
          tokens_out: numberAt(event, 'usage', 'output_tokens'),
          cost_usd: numberAt(event, 'total_cost_usd'),
          turns: numberAt(event, 'num_turns'),
        },
      },
    ];
  }
  return [];
}

// Claude Code, headless: `claude -p PROMPT --output-format stream-json --verbose`, all tools allowed.
export const claudePreset: AgentPreset = {
  name: 'claude',
  install: 'npm install -g @anthropic-ai/claude-code',
  launch: ({ prompt, agent, systemPrompt }) => ({
    kind: 'exec',
    argv: [
      'claude',
      '-p',
      prompt,
      '--output-format',
      'stream-json',
      '--verbose',
      '--dangerously-skip-permissions',
      ...(systemPrompt ? ['--append-system-prompt', systemPrompt] : []),
      ...extraArgs(agent),
    ],
    // As root, claude skips permission prompts only when told it runs in a sandbox.
    ...(process.getuid?.() === 0 ? { env: { IS_SANDBOX: '1' } } : {}),
  }),
  view: viewResultStream,
  read: (output) =>
    readResultStream(output, {
      name: 'claude',
      authHint: 'claude is not logged in: run `claude` once and log in, or set ANTHROPIC_API_KEY',
    }),
};

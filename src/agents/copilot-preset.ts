import { extraArgs } from './claude-preset.js';
import { jsonLines, numberAt, streamReport, stringAt } from './json-lines.js';
import type { AgentPreset, AgentReport, RunOutput } from './preset.js';

// copilot's stream: `assistant.message` events, tool executions, then a `result` event with `exitCode`.
function readCopilotStream(output: RunOutput): AgentReport {
  const events = jsonLines(output.stdout);
  const messages = events.filter((event) => event.type === 'assistant.message').map((event) => stringAt(event, 'data', 'content') ?? '');
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

// GitHub Copilot CLI, headless: `copilot -p PROMPT --allow-all --no-ask-user --output-format json`.
export const copilotPreset: AgentPreset = {
  name: 'copilot',
  install: 'npm install -g @github/copilot',
  launch: ({ prompt, agent }) => ({
    kind: 'exec',
    argv: ['copilot', '-p', prompt, '--allow-all', '--no-ask-user', '--output-format', 'json', '--no-auto-update', ...extraArgs(agent)],
  }),
  read: readCopilotStream,
};

import { extraArgs, readResultStream, viewResultStream } from './claude-preset.js';
import type { AgentPreset } from './preset.js';

// Qwen Code, headless: `qwen PROMPT --approval-mode yolo --output-format stream-json` (claude's stream format).
export const qwenPreset: AgentPreset = {
  name: 'qwen',
  install: 'npm install -g @qwen-code/qwen-code',
  launch: ({ prompt, agent }) => ({ kind: 'exec', argv: ['qwen', '--approval-mode', 'yolo', '--output-format', 'stream-json', ...extraArgs(agent), prompt] }),
  view: viewResultStream,
  read: (output) => readResultStream(output, { name: 'qwen', authHint: 'qwen is not authenticated: run `qwen` once and log in, or set OPENAI_API_KEY (with OPENAI_BASE_URL and OPENAI_MODEL)' }),
};

import { readResultStream, viewResultStream } from './claude-preset.js';
import { extraArgs, promptWithRole } from './launch-args.js';
import type { AgentPreset } from './preset.js';

// Qwen Code, headless: `qwen PROMPT --approval-mode yolo --output-format stream-json` (claude's stream format).
export const qwenPreset: AgentPreset = {
  name: 'qwen',
  install: 'npm install -g @qwen-code/qwen-code',
  launch: (context) => ({
    kind: 'exec',
    argv: [
      'qwen',
      '--approval-mode',
      'yolo',
      '--output-format',
      'stream-json',
      ...extraArgs(context.agent),
      promptWithRole(context),
    ],
  }),
  view: viewResultStream,
  read: (output) =>
    readResultStream(output, {
      name: 'qwen',
      authHint:
        'qwen is not authenticated: run `qwen` once and log in, or set OPENAI_API_KEY (with OPENAI_BASE_URL and OPENAI_MODEL)',
    }),
};

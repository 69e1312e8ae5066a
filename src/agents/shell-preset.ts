import { readPlainOutput } from './plain-output.js';
import type { AgentPreset } from './preset.js';

// The built-in `shell` agent: runs the task's `command:` (or its description) with /bin/sh.
export const shellPreset: AgentPreset = {
  name: 'shell',
  launch: ({ task }) => ({ kind: 'shell', script: task.command ?? task.description }),
  read: readPlainOutput,
};

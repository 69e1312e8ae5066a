import type { FailureKind } from '../core/agent-failure.js';
import type { AgentConfig } from '../core/config-schema.js';
import type { TaskFields } from '../core/task-schema.js';

// What a preset gets to build its command line from.
export interface LaunchContext {
  taskId: string;
  task: TaskFields;
  prompt: string;
  promptFile: string;
  // The task's role, as a system prompt (presets without a system-prompt flag put it in the prompt).
  systemPrompt?: string;
  workdir: string;
  agent: AgentConfig;
}

// How to start an agent: an argv run exactly as given, or a script the runner shell runs itself.
export type Launch =
  | { kind: 'exec'; argv: string[]; env?: Record<string, string> }
  | { kind: 'shell'; script: string; env?: Record<string, string> }
  | { kind: 'refused'; error: string };

// What an agent left behind, for its preset to read.
export interface RunOutput {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

// Tokens, cost and activity, as far as the CLI reports them.
export interface AgentUsage {
  tokens_in?: number;
  tokens_out?: number;
  cost_usd?: number;
  turns?: number;
  tool_calls?: number;
}

// What a preset understood from a finished run.
export interface AgentReport {
  success: boolean;
  answer: string;
  summary: string;
  error?: string;
  usage?: AgentUsage;
  // A failure that waiting fixes (a usage or rate limit) or that retrying cannot (authentication).
  failure?: FailureKind;
}

// One event of a CLI's stream as people read it: a message, a tool call, a failed model request the
// CLI retries by itself, the end; usage so far.
export interface EventView {
  kind: 'message' | 'tool' | 'retry' | 'result' | 'error';
  text: string;
  // This event starts a new model turn.
  turn?: boolean;
  // Added to the run's totals...
  tokens_in?: number;
  tokens_out?: number;
  // ...or, on a final result, the run's totals themselves.
  totals?: AgentUsage;
}

// A preset knows its CLI's headless command line and how to read its output.
export interface AgentPreset {
  name: string;
  // How to install the CLI, named when its binary is missing.
  install?: string;
  launch(context: LaunchContext): Launch;
  read(output: RunOutput): AgentReport;
  // How to show one JSON event of the stream (presets whose CLI streams JSON lines).
  view?(event: Record<string, unknown>): EventView[];
  // How to show one line of stderr (CLIs that report some events, such as their retries, only there).
  viewStderr?(line: string): EventView[];
}

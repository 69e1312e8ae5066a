import type { Launch } from '../agents/preset.js';
import { quoteWord } from '../core/shell-quote.js';

// What starting one run takes: its folder, what to run, where, and with what environment.
export interface SpawnRequest {
  runDir: string;
  launch: Exclude<Launch, { kind: 'refused' }>;
  cwd: string;
  env: Record<string, string | undefined>;
}

// The command file a runner shell sources for a run (see runner-pool.ts): a `shell` task's script as
// it is, or `exec` and an argv agent's words, each in single quotes, inside which a shell gives no
// character a meaning (not `$`, a backquote or a newline), so the agent receives its argv exactly.
export function runnerCommand(launch: SpawnRequest['launch']): string {
  if (launch.kind === 'shell') return launch.script;
  const nul = launch.argv.findIndex((word) => word.includes('\0'));
  // No program can receive a NUL byte in its arguments (and a shell would cut the word there).
  if (nul >= 0) throw new Error(`argument ${nul} of its command line holds a NUL byte`);
  return `exec ${launch.argv.map(quoteWord).join(' ')}\n`;
}

import type { Launch } from '../agents/preset.js';
import { quoteWord } from '../core/shell-quote.js';
import { RUN_MARKER, RUNNER_MARKER } from './process-table.js';

// What starting one run takes: its folder, what to run, where, and with what environment.
export interface SpawnRequest {
  runDir: string;
  launch: Exclude<Launch, { kind: 'refused' }>;
  cwd: string;
  env: Record<string, string | undefined>;
}

// The variable a runner shell holds a newline in, for command lines to write one on a single line.
const NEWLINE = 'nl';

// A runner is a long-lived /bin/sh, detached in its own session and process group, that runs agents
// one after another (see runner-pool.ts). For each request line "<id> <attempt> <command line>" it
// says "started", evaluates the command line in a subshell with the run's output files and marker,
// writes the exit status to the run's `exit` file, then says "exit <status>". Reusing the shell saves
// a fork of Node and an exec of sh per run. Its traps keep it alive through the SIGINT/SIGTERM a stop
// sends to its process group (the subshell gets the default actions back), so it records the status
// of a stopped run too. If the daemon dies, the runner finishes the run, writes its status, and ends
// at its next write to the daemon or at the end of its input.
export const RUNNER_SCRIPT = `trap : INT TERM HUP
${NEWLINE}='
'
while read -r id attempt command; do
  d="$${RUNNER_MARKER}"/$id/$attempt
  echo started
  (
    exec </dev/null >>"$d/stdout" 2>>"$d/stderr"
    unset ${RUNNER_MARKER}
    export ${RUN_MARKER}="$d" ORCHESTRATE_TASK_ID="$id" ORCHESTRATE_ATTEMPT="$attempt" ORCHESTRATE_PROMPT_FILE="$d/prompt.md"
    eval "$command"
  )
  s=$?
  echo "$s" >"$d/exit"
  echo "exit $s"
done`;

// A word in single quotes, inside which a shell gives no character a meaning (not `$`, a backquote
// or a quote), kept on one line: each newline is written '"$nl"' (out of the quotes, the runner's
// newline, back into them).
function quoteOnOneLine(word: string): string {
  return quoteWord(word).replaceAll('\n', `'"$${NEWLINE}"'`);
}

// The one-line command a runner shell evaluates for a run: `exec` and an argv agent's words, so the
// agent receives its argv exactly, or `eval` and a `shell` task's script as one word.
export function runnerCommand(launch: SpawnRequest['launch']): string {
  const words = launch.kind === 'exec' ? launch.argv : [launch.script];
  const nul = words.findIndex((word) => word.includes('\0'));
  // No program can receive a NUL byte in its arguments, and no shell reads one in a script.
  if (nul >= 0)
    throw new Error(
      launch.kind === 'exec' ? `argument ${nul} of its command line holds a NUL byte` : 'its script holds a NUL byte',
    );
  return `${launch.kind === 'exec' ? 'exec' : 'eval'} ${words.map(quoteOnOneLine).join(' ')}`;
}

import type { ProgressCursor } from '../agents/progress-file.js';
import type { AttemptOutcome, TaskFields } from '../core/task-schema.js';
import type { RunWorktree } from '../core/worktree.js';
import type { FileSignature } from '../queue/task-file.js';

export interface StopRequest {
  outcome: AttemptOutcome;
  error: string;
  requeue: boolean;
  // A failure a retry would repeat (output past its limit): the task fails without retrying.
  final?: boolean;
}

// One attempt the daemon is responsible for, spawned by it or adopted from a previous daemon.
export interface LiveRun {
  id: string;
  number: number;
  agent: string;
  slot: string;
  runDir: string;
  startedAt: string;
  createdAt: string;
  description: string;
  locks: readonly string[];
  pid?: number;
  // Gives the run's runner shell back to the pool, once the daemon is done with the run.
  releaseRunner?: () => void;
  // Settles when that runner has reported the end of the task (its exit status is written then).
  reported?: Promise<unknown>;
  timer?: NodeJS.Timeout;
  poller?: NodeJS.Timeout;
  stopping?: StopRequest;
  finished?: boolean;
  // Silent for longer than its stall timeout (reported once per silence).
  stalled?: boolean;
  // How far the agent's stream has been read for the live view (presets that stream JSON).
  progress?: ProgressCursor;
  claimed?: { text: string; fields: TaskFields; signature: FileSignature };
  // The git worktree the agent works in (workspace: worktree), and the abort of its preparation.
  worktree?: RunWorktree;
  preparing?: AbortController;
  // Resolves once the claim has spawned the agent, given up, or was released.
  launched: Promise<void>;
  markLaunched: () => void;
  settled: Promise<void>;
  settle: () => void;
}

// A run as the daemon tracks it, before anything is known about its process.
export function describeRun(facts: {
  id: string;
  number: number;
  agent: string;
  slot: string;
  runDir: string;
  startedAt: string;
  createdAt: string;
  fields: TaskFields;
}): LiveRun {
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  let markLaunched!: () => void;
  const launched = new Promise<void>((resolve) => (markLaunched = resolve));
  return {
    id: facts.id,
    number: facts.number,
    agent: facts.agent,
    slot: facts.slot,
    runDir: facts.runDir,
    startedAt: facts.startedAt,
    createdAt: facts.createdAt,
    description: facts.fields.description,
    locks: facts.fields.locks ?? [],
    launched,
    markLaunched,
    settled,
    settle,
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { RUN_MARKER } from '../process/process-table.js';
import { stopRunTree } from '../process/stop-run.js';
import { lastLine } from '../core/text.js';

export interface SetupRequest {
  // The shell command line of worktree.setup, the folder it runs in, and its environment.
  script: string;
  cwd: string;
  env: Record<string, string | undefined>;
  // The run it prepares: its processes carry this run's marker (so a later daemon finds a setup that
  // outlived its own, see recovery), and are stopped like its agent's.
  runDir: string;
  // Its output goes here (the run's setup.log).
  logPath: string;
  // When it is stopped: the task's timeout, counted from the start of the attempt.
  deadlineMs: number | undefined;
  graceMs: number;
  signal: AbortSignal;
}

export type SetupResult =
  | { ok: true }
  | { ok: false; outcome: 'failed' | 'timeout'; error: string }
  | { ok: false; aborted: true };

function lastLogLine(path: string): string {
  try {
    return lastLine(readFileSync(path, 'utf8'), 200);
  } catch {
    return '';
  }
}

// Runs worktree.setup with /bin/sh in a new worktree, in its own process group so a timeout or a
// cancel stops all of it, the way an agent is stopped (SIGINT, SIGTERM, then SIGKILL).
export function runSetup(request: SetupRequest): Promise<SetupResult> {
  return new Promise((resolve) => {
    if (request.signal.aborted) return resolve({ ok: false, aborted: true });
    const log = openSync(request.logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', request.script], {
        cwd: request.cwd,
        env: { ...request.env, [RUN_MARKER]: request.runDir },
        detached: true,
        stdio: ['ignore', log, log],
      });
    } catch (error) {
      return resolve({
        ok: false,
        outcome: 'failed',
        error: `worktree setup could not start: ${(error as Error).message} (fix worktree.setup in orchestrator.yaml)`,
      });
    } finally {
      closeSync(log);
    }
    let stoppedBy: 'timeout' | 'abort' | undefined;
    const stop = (why: 'timeout' | 'abort') => {
      if (stoppedBy || child.pid === undefined) return;
      stoppedBy = why;
      void stopRunTree(child.pid, request.runDir, request.graceMs);
    };
    const onAbort = () => stop('abort');
    request.signal.addEventListener('abort', onAbort, { once: true });
    const timer =
      request.deadlineMs === undefined
        ? undefined
        : setTimeout(() => stop('timeout'), Math.max(0, request.deadlineMs - Date.now()));
    child.once('error', (error) => {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
      resolve({
        ok: false,
        outcome: 'failed',
        error: `worktree setup could not start: ${error.message} (fix worktree.setup in orchestrator.yaml)`,
      });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
      if (stoppedBy === 'abort') return resolve({ ok: false, aborted: true });
      if (stoppedBy === 'timeout')
        return resolve({
          ok: false,
          outcome: 'timeout',
          error: `worktree setup ran past the task's timeout and was stopped (see ${request.logPath})`,
        });
      if (code === 0) return resolve({ ok: true });
      const how = code === null ? `was killed by ${signal}` : `failed with exit ${code}`;
      const said = lastLogLine(request.logPath);
      resolve({
        ok: false,
        outcome: 'failed',
        error: `worktree setup ${how}${said ? `: ${said}` : ''} (see ${request.logPath}; fix worktree.setup in orchestrator.yaml)`,
      });
    });
  });
}

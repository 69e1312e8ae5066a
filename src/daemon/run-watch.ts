import { startProgress, updateProgress } from '../agents/progress-file.js';
import type { AgentPreset } from '../agents/preset.js';
import { presetFor } from '../agents/presets.js';
import { stallPolicy, type Config } from '../core/config-schema.js';
import { formatDuration } from '../core/duration.js';
import { stalledFor } from '../queue/run-files.js';
import type { DaemonContext } from './context.js';
import type { LiveRun, StopRequest } from './live-run.js';
import { outputOverLimit } from './output-limit.js';

const STALL_CHECK_MAX_MS = 15_000;
const PROGRESS_MS = 1000;

// The preset of a run's agent (a generic command runner if the agent left the config meanwhile).
export function presetOfRun(config: Config, run: LiveRun): AgentPreset {
  return presetFor(config.agents[run.agent] ?? { max_instances: 1, command: 'unknown' });
}

// Watches the runs while their agents work: once a second it reads each streaming agent's new
// output into runs/<id>/<n>/status.json and stops a run whose output outgrew its limit; a few times
// per stall timeout it marks silent runs stalled and applies their stall action.
export class RunWatch {
  private stallTimer: NodeJS.Timeout | undefined;
  private readonly progressTimer: NodeJS.Timeout;

  constructor(
    private readonly ctx: DaemonContext,
    private readonly runs: ReadonlyMap<string, LiveRun>,
    private readonly stop: (id: string, request: StopRequest) => Promise<void>,
  ) {
    this.progressTimer = setInterval(() => this.lookAtOutputs(), PROGRESS_MS);
    this.progressTimer.unref();
    this.watchStalls();
  }

  private lookAtOutputs(): void {
    for (const run of this.runs.values()) {
      if (run.finished) continue;
      this.readProgress(run);
      if (run.stopping) continue;
      const over = outputOverLimit(this.ctx.config(), run.agent, run.runDir);
      if (over) void this.stop(run.id, over);
    }
  }

  // Brings a run's live view up to date with what its agent wrote so far.
  readProgress(run: LiveRun): void {
    const preset = presetOfRun(this.ctx.config(), run);
    if (!preset.view) return;
    run.progress ??= startProgress();
    try {
      updateProgress(preset, run.runDir, run.progress);
    } catch (error) {
      this.ctx.log.debug({ task: run.id, err: error }, 'could not update the live view');
    }
  }

  // Looks for stalled runs a few times per stall timeout (at most every 15 s, at least every 100 ms).
  private watchStalls(): void {
    const config = this.ctx.config();
    const timeouts = Object.keys(config.agents)
      .map((agent) => stallPolicy(config, agent).timeoutMs)
      .filter((ms) => ms > 0);
    const every =
      timeouts.length === 0
        ? STALL_CHECK_MAX_MS
        : Math.min(STALL_CHECK_MAX_MS, Math.max(100, Math.min(...timeouts) / 4));
    this.stallTimer = setTimeout(() => {
      this.checkStalls();
      this.watchStalls();
    }, every);
    this.stallTimer.unref();
  }

  // Marks runs silent for longer than their stall timeout and applies the stall action.
  private checkStalls(now = Date.now()): void {
    const config = this.ctx.config();
    for (const run of this.runs.values()) {
      if (run.finished || run.stopping || run.pid === undefined) continue;
      const policy = stallPolicy(config, run.agent);
      const quietMs = stalledFor(run.runDir, Date.parse(run.startedAt), policy.timeoutMs, now);
      if (quietMs === undefined) {
        run.stalled = false;
        continue;
      }
      if (run.stalled) continue;
      run.stalled = true;
      const stall = `stalled: no output for ${formatDuration(quietMs)} (stall_timeout ${formatDuration(policy.timeoutMs)})`;
      this.ctx.log.warn({ task: run.id, action: policy.action }, `${run.id} ${stall}`);
      this.ctx.event('stalled', { id: run.id, attempt: run.number, quiet_ms: quietMs, action: policy.action });
      if (policy.action === 'cancel')
        void this.stop(run.id, {
          outcome: 'cancelled',
          error: `${stall}; stopped (stall_action: cancel)`,
          requeue: false,
        });
      if (policy.action === 'retry')
        void this.stop(run.id, {
          outcome: 'failed',
          error: `${stall}; stopped to retry (stall_action: retry)`,
          requeue: false,
        });
    }
  }

  // Stops watching (the runs themselves go on).
  close(): void {
    clearTimeout(this.stallTimer);
    clearInterval(this.progressTimer);
  }
}

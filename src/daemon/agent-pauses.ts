import { limitPauseUntil } from '../core/limit-pause.js';
import type { DaemonContext } from './context.js';

// Agents paused by a usage or rate limit, until when, and how many limits in a row each hit:
// held in memory, so a restarted daemon tries each agent once more.
export class AgentPauses {
  readonly until = new Map<string, number>();
  private readonly streak = new Map<string, number>();

  constructor(private readonly ctx: DaemonContext) {}

  // Pauses an agent until the reset time its CLI named, else for a backoff that doubles with each
  // limit in a row; other agents go on. Returns until when.
  pause(agent: string, resetAtMs: number | undefined): number {
    const streak = (this.streak.get(agent) ?? 0) + 1;
    this.streak.set(agent, streak);
    const now = Date.now();
    const until = Math.max(
      this.until.get(agent) ?? 0,
      limitPauseUntil({ now, resetAtMs, streak, backoffMs: this.ctx.config().defaults.limitBackoffMs }),
    );
    this.until.set(agent, until);
    this.ctx.log.warn(
      { agent, until: new Date(until).toISOString() },
      `${agent} hit a usage or rate limit: paused until ${new Date(until).toISOString()}; other agents go on`,
    );
    this.ctx.event('paused', { agent, until: new Date(until).toISOString() });
    return until;
  }

  // A task of this agent completed: its limits are no longer in a row.
  succeeded(agent: string): void {
    this.streak.delete(agent);
  }
}

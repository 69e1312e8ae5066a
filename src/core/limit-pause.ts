import { backoffMs } from './transitions.js';

export interface LimitPauseInput {
  now: number;
  // The reset time the CLI named, if any.
  resetAtMs: number | undefined;
  // Limits this agent hit in a row, this one included.
  streak: number;
  // defaults.limit_backoff: the first pause when no reset time is named; doubles with the streak.
  backoffMs: number;
}

// Until when an agent pauses after a usage or rate limit. A named reset is honoured as it is the
// first time; from the second limit in a row the doubling backoff is a floor, because some CLIs name
// a reset seconds away for a quota that lasts all day (gemini: "Please retry in 41s" on a daily quota).
export function limitPauseUntil({ now, resetAtMs, streak, backoffMs: base }: LimitPauseInput): number {
  const backoff = now + backoffMs(base, streak);
  if (resetAtMs === undefined || resetAtMs <= now) return backoff;
  return streak <= 1 ? resetAtMs : Math.max(resetAtMs, now + backoffMs(base, streak - 1));
}

// What kind of failure an agent's error text describes, when it is one that retrying cannot fix
// (authentication) or that waiting fixes (usage and rate limits).
export type FailureKind = { kind: 'limit'; resetAtMs: number | undefined } | { kind: 'auth' };

const LIMIT =
  /rate.?limit|usage limit|too many requests|\b429\b|quota|resource.?exhausted|limit reached|overloaded_error|\b529\b/i;
const AUTH =
  /not logged in|invalid api key|invalid x-api-key|api key not valid|authentication_error|unauthori[sz]ed|\b401\b|please run \/login|missing api key|no api key|OPENAI_API_KEY is not set|must be logged in/i;

const UNIT_MS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
};

// Reads a failure's text (the CLI's error, then its stderr); undefined for an ordinary failure.
export function classifyFailure(text: string, nowMs: number): FailureKind | undefined {
  if (AUTH.test(text)) return { kind: 'auth' };
  if (LIMIT.test(text)) return { kind: 'limit', resetAtMs: resetTime(text, nowMs) };
  return undefined;
}

// The reset time a limit message names: an epoch after `|` (claude's "usage limit reached|1767225600"),
// "retry after 30s", "try again in 2 minutes", "resets in 1h", an ISO time, or a day and time in UTC.
function resetTime(text: string, nowMs: number): number | undefined {
  const epoch = /\|(\d{10})\b/.exec(text);
  if (epoch) return Number(epoch[1]) * 1000;
  const relative =
    /(?:retry|try again|resets?|reset)\s+(?:after|in)\s+(\d+(?:\.\d+)?)\s*(s|sec|seconds?|m|min|minutes?|h|hours?)\b/i.exec(
      text,
    );
  if (relative) {
    const unit = relative[2]!.toLowerCase().replace(/s$/, '') || 's';
    return nowMs + Number(relative[1]) * (UNIT_MS[unit] ?? UNIT_MS[unit.slice(0, 1)] ?? 1000);
  }
  const iso = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))\b/.exec(text);
  const at = iso ? Date.parse(iso[1]!) : dayTimeUtc(text, nowMs);
  return at !== undefined && at > nowMs ? at : undefined;
}

// Alibaba Cloud's "The quota will reset at 07-27 09:25:00 UTC" (qwen passes it on) names no year: the nearest one.
function dayTimeUtc(text: string, nowMs: number): number | undefined {
  const found = /\breset at (\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))? UTC\b/i.exec(text);
  if (!found) return undefined;
  const at = (year: number) =>
    Date.UTC(year, Number(found[1]) - 1, Number(found[2]), Number(found[3]), Number(found[4]), Number(found[5] ?? 0));
  const year = new Date(nowMs).getUTCFullYear();
  return [at(year - 1), at(year + 1)].reduce(
    (nearest, time) => (Math.abs(time - nowMs) < Math.abs(nearest - nowMs) ? time : nearest),
    at(year),
  );
}

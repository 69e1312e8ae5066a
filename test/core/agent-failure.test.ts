import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../src/core/agent-failure.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');

describe('classifyFailure', () => {
  it.each([
    ['Claude AI usage limit reached|1795262400', 1_795_262_400_000],
    [
      'API Error: 429 {"type":"error","error":{"type":"rate_limit_error","message":"Number of requests exceeded"}} retry after 30s',
      NOW + 30_000,
    ],
    ['stream error: exceeded retry limit, last status: 429 Too Many Requests, try again in 2 minutes', NOW + 120_000],
    ['[API Error: RESOURCE_EXHAUSTED: Quota exceeded for quota metric]', undefined],
    ['You have hit your usage limit. Your limit resets in 1 hour', NOW + 3_600_000],
    ['rate limited until 2026-11-21T13:00:00Z', Date.parse('2026-11-21T13:00:00Z')],
    // What the real gemini and qwen print for a quota their API says is exhausted (they do not retry these).
    [
      '[API Error: You have exhausted your daily quota on this model.]\nPlease wait and try again later. To increase your limits, request a quota increase through AI Studio, or switch to another /auth method',
      undefined,
    ],
    [
      'Quota exhausted: Your token-plan 1-week quota has been exhausted. The quota will reset at 11-21 14:30:00 UTC.\n\nPlease retry after the reset time, or switch to another API key / auth method. (cause: rate_limit_exceeded: 429 Your token-plan 1-week quota has been exhausted. The quota will reset at 11-21 14:30:00 UTC.)',
      Date.parse('2026-11-21T14:30:00Z'),
    ],
    [
      'Quota exhausted: Your token-plan 1-week quota has been exhausted. The quota will reset at 01-02 09:25:00 UTC.',
      Date.parse('2027-01-02T09:25:00Z'),
    ],
  ])('a limit: %s', (text, resetAtMs) => {
    expect(classifyFailure(text, NOW)).toEqual({ kind: 'limit', resetAtMs });
  });

  it.each([
    'Invalid API key · Please run /login',
    'Error: 401 Unauthorized',
    'API key not valid. Please pass a valid API key.',
    'authentication_error: invalid x-api-key',
  ])('an authentication failure: %s', (text) => expect(classifyFailure(text, NOW)).toEqual({ kind: 'auth' }));

  it('an ordinary failure is neither', () => {
    expect(classifyFailure('exit 1: TypeError: cannot read properties of undefined', NOW)).toBeUndefined();
    expect(classifyFailure('API Error: 400 bad request', NOW)).toBeUndefined();
  });
});

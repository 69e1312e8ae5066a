import { describe, expect, it } from 'vitest';
import { attemptsInRound, backoffMs, nextAttemptNumber, nextStepAfter } from '../../src/core/transitions.js';
import type { TaskFields } from '../../src/core/task-schema.js';

const policy = { maxRetries: 2, retryDelayMs: 1000 };
const withAttempts = (n: number, extra: Partial<TaskFields> = {}): TaskFields => ({
  description: 'x',
  attempts: Array.from({ length: n }, (_, i) => ({ number: i + 1, outcome: 'failed' as const })),
  ...extra,
});

describe('lifecycle transitions', () => {
  it('completes on success', () =>
    expect(nextStepAfter('success', withAttempts(1), policy, 0)).toEqual({ to: 'completed' }));

  it('retries with exponential backoff while attempts are left', () => {
    expect(nextStepAfter('failed', withAttempts(1), policy, 0)).toEqual({ to: 'pending', retryAfterMs: 1000 });
    expect(nextStepAfter('timeout', withAttempts(2), policy, 0)).toEqual({ to: 'pending', retryAfterMs: 2000 });
    expect(nextStepAfter('lost', withAttempts(3), policy, 0)).toEqual({ to: 'failed' });
  });

  it('parks a rate-limited attempt until the reset without using a retry', () => {
    const fields: TaskFields = {
      description: 'x',
      max_retries: 0,
      attempts: [
        { number: 1, outcome: 'rate_limited' },
        { number: 2, outcome: 'rate_limited' },
      ],
    };
    expect(nextStepAfter('rate_limited', fields, policy, 0, { retryAtMs: 5000 })).toEqual({
      to: 'pending',
      retryAfterMs: 5000,
    });
    expect(attemptsInRound(fields)).toBe(0);
    expect(
      nextStepAfter(
        'failed',
        { ...fields, attempts: [...fields.attempts!, { number: 3, outcome: 'failed' }] },
        policy,
        0,
      ),
    ).toEqual({ to: 'failed' });
  });

  it('fails at once when retrying cannot help (authentication)', () => {
    expect(nextStepAfter('failed', withAttempts(1), policy, 0, { final: true })).toEqual({ to: 'failed' });
  });

  it('lets a task override max_retries', () => {
    expect(nextStepAfter('failed', withAttempts(1, { max_retries: 0 }), policy, 0)).toEqual({ to: 'failed' });
  });

  it('counts only the attempts of the current round', () => {
    const fields = withAttempts(4, { attempts_base: 3 });
    expect(attemptsInRound(fields)).toBe(1);
    expect(nextStepAfter('failed', fields, policy, 0)).toMatchObject({ to: 'pending' });
  });

  it('never retries cancels and spawn errors, but requeues an interrupted run', () => {
    expect(nextStepAfter('cancelled', withAttempts(1), policy, 0)).toEqual({ to: 'failed' });
    expect(nextStepAfter('spawn_error', withAttempts(1), policy, 0)).toEqual({ to: 'failed' });
    expect(nextStepAfter('cancelled', withAttempts(9), policy, 0, { requeue: true })).toEqual({
      to: 'pending',
      retryAfterMs: undefined,
    });
  });

  it('caps the backoff', () => expect(backoffMs(1000, 50)).toBe(32_000));
  it('numbers attempts past the highest recorded', () => expect(nextAttemptNumber(withAttempts(3))).toBe(4));
});

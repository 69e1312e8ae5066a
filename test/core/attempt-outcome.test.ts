import { describe, expect, it } from 'vitest';
import { attemptOutcome, type ExitFacts } from '../../src/core/attempt-outcome.js';

const exit = (facts: Partial<ExitFacts>): ExitFacts => ({
  agent: 'claude',
  exitCode: 0,
  signal: undefined,
  stopping: undefined,
  report: { success: true },
  limitedUntil: undefined,
  ...facts,
});

describe('attemptOutcome', () => {
  it('is success only for exit 0 that the preset reads as a success', () => {
    expect(attemptOutcome(exit({}))).toEqual({ outcome: 'success', error: undefined });
    expect(attemptOutcome(exit({ report: { success: false, error: 'is_error: true' } }))).toEqual({
      outcome: 'failed',
      error: 'exit 0: is_error: true',
    });
  });

  it('names the exit code when the preset read no error', () => {
    expect(attemptOutcome(exit({ exitCode: 3, report: { success: false } }))).toEqual({
      outcome: 'failed',
      error: 'the agent exited with code 3',
    });
  });

  it('tells a killed agent from one that vanished without a status', () => {
    expect(attemptOutcome(exit({ exitCode: null, signal: 'SIGKILL' }))).toEqual({
      outcome: 'failed',
      error: 'the agent was killed by SIGKILL',
    });
    expect(attemptOutcome(exit({ exitCode: null }))).toEqual({
      outcome: 'lost',
      error: 'the agent ended while no daemon watched and left no exit status',
    });
  });

  it('lets a stop the daemon asked for win over everything the exit says', () => {
    const stopping = { outcome: 'timeout' as const, error: 'timed out after 5s and was stopped' };
    expect(attemptOutcome(exit({ exitCode: null, signal: 'SIGTERM', stopping }))).toEqual({
      outcome: 'timeout',
      error: stopping.error,
    });
    expect(attemptOutcome(exit({ stopping: { outcome: 'cancelled', error: 'cancelled by a person' } }))).toEqual({
      outcome: 'cancelled',
      error: 'cancelled by a person',
    });
  });

  it('makes a usage limit rate_limited, saying until when the agent pauses', () => {
    const limitedUntil = Date.parse('2026-12-08T10:00:00Z');
    const verdict = attemptOutcome(
      exit({ exitCode: 1, report: { success: false, error: 'usage limit reached' }, limitedUntil }),
    );
    expect(verdict.outcome).toBe('rate_limited');
    expect(verdict.error).toBe(
      'claude hit a usage or rate limit; it is paused until 2026-12-08T10:00:00.000Z and this task waits in pending without using a retry (usage limit reached)',
    );
  });

  it('keeps a limit that ended in exit 0 a success: the work was done', () => {
    expect(attemptOutcome(exit({ limitedUntil: Date.now() })).outcome).toBe('success');
  });
});

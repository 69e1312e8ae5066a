// The inputs of scheduling: the after/when task fields, roles and priority_aging in the config,
// `--agents` slots, aging itself, and the words status uses for each reason.
import { describe, expect, it } from 'vitest';
import { parseAgentSlots, withAgentSlots } from '../../src/core/agent-slots.js';
import { validateConfig } from '../../src/core/config-schema.js';
import { dependencyState } from '../../src/core/dependency-state.js';
import { agedPriority, nextPromotionMs } from '../../src/core/priority-aging.js';
import { validateTask } from '../../src/core/task-schema.js';
import { describePending, describeWait } from '../../src/core/wait-reason.js';

const task = (fields: Record<string, unknown>) => {
  const result = validateTask('t', { description: 'x', ...fields });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.task;
};

describe('after and when', () => {
  it('reads after as an id or a list, and when as { failed: id }', () => {
    expect(task({ after: 'build' }).after).toEqual(['build']);
    expect(task({ after: ['a', 'b'], when: { failed: 'tests' } })).toMatchObject({
      after: ['a', 'b'],
      whenFailed: 'tests',
    });
  });

  it('refuses a bad when with the field and the fix', () => {
    const problems = (when: unknown) => {
      const result = validateTask('t', { description: 'x', when });
      return result.ok ? [] : result.problems;
    };
    expect(problems('tests')).toEqual([
      { path: 'when', message: 'must be a mapping such as `when: { failed: run-tests }`' },
    ]);
    expect(problems({ failled: 'tests' })).toContainEqual({
      path: 'when.failled',
      message: 'unknown field (did you mean "failed"?)',
    });
    expect(problems({ failed: 'bad id' })[0]).toMatchObject({ path: 'when.failed' });
  });

  it('fail beats skip beats waiting, and unknown ids are told apart from known ones', () => {
    const facts = (completed: string[], failed: string[], present: string[] = []) => ({
      completed: new Set(completed),
      failed: new Set(failed),
      present: new Set(present),
    });
    const both = task({ depends_on: ['dep'], when: { failed: 'cond' } });
    expect(dependencyState(both, facts(['cond'], ['dep'])).kind).toBe('fail');
    expect(dependencyState(both, facts(['cond', 'dep'], [])).kind).toBe('skip');
    expect(dependencyState(both, facts([], [], ['dep']))).toEqual({
      kind: 'wait',
      reason: { kind: 'unknown', ids: ['cond'] },
    });
    expect(dependencyState(both, facts([], [], ['dep', 'cond']))).toEqual({
      kind: 'wait',
      reason: { kind: 'dependency', ids: ['dep', 'cond'] },
    });
    expect(dependencyState(both, facts(['dep'], ['cond']))).toEqual({ kind: 'ready' });
  });
});

describe('config: agent roles and priority_aging', () => {
  it('defaults priority_aging to 30m, and 0 turns it off', () => {
    const on = validateConfig({}, ['shell']);
    const off = validateConfig({ defaults: { priority_aging: 0 } }, ['shell']);
    expect(on.ok && on.config.defaults.priorityAgingMs).toBe(1_800_000);
    expect(off.ok && off.config.defaults.priorityAgingMs).toBe(0);
  });

  it('accepts built-in and configured roles on an agent, and names an unknown one with a hint', () => {
    expect(
      validateConfig({ agents: { a: { preset: 'shell', roles: ['tests', 'sec'] } }, roles: { sec: 'be careful' } }, [
        'shell',
      ]).ok,
    ).toBe(true);
    const result = validateConfig({ agents: { a: { preset: 'shell', roles: ['backend', 'testz'] } } }, ['shell']);
    expect(result.ok ? [] : result.problems).toEqual([
      { path: 'agents.a.roles[1]', message: expect.stringMatching(/^unknown role "testz" \(did you mean "tests"\?/) },
    ]);
  });
});

describe('--agents slots', () => {
  const names = ['claude', 'codex'];
  it('reads NAME:SLOTS pairs, 0 included', () => {
    expect(parseAgentSlots('claude:2, codex:0', names)).toEqual({ ok: true, slots: { claude: 2, codex: 0 } });
  });

  it.each([
    ['cladue:2', 'unknown agent "cladue" (did you mean "claude"? agents in orchestrator.yaml: claude, codex)'],
    ['claude', '"claude" is not NAME:SLOTS (for example claude:2,codex:1)'],
    ['claude:-1', '"claude:-1" is not NAME:SLOTS (for example claude:2,codex:1)'],
    ['claude:two', '"claude:two" is not NAME:SLOTS (for example claude:2,codex:1)'],
    ['claude:1,claude:2', 'agent "claude" is given twice'],
  ])('refuses %s', (text, problem) => {
    expect(parseAgentSlots(text, names)).toEqual({ ok: false, problem });
  });

  it('replaces max_instances for the named agents only, and returns names the config lost', () => {
    const loaded = validateConfig(
      { agents: { claude: { preset: 'shell', max_instances: 4 }, codex: { preset: 'shell', max_instances: 3 } } },
      ['shell'],
    );
    if (!loaded.ok) throw new Error('config');
    const { config, unknown } = withAgentSlots(loaded.config, { claude: 1, gone: 2 });
    expect([config.agents.claude!.max_instances, config.agents.codex!.max_instances, unknown]).toEqual([
      1,
      3,
      ['gone'],
    ]);
    expect(loaded.config.agents.claude!.max_instances).toBe(4);
  });
});

describe('priority aging', () => {
  const MIN = 60_000;
  it('rises one level per period since created_at, never above high, and not at all when off', () => {
    expect([0, 29, 30, 59, 60, 500].map((m) => agedPriority(2, 0, m * MIN, 30 * MIN))).toEqual([2, 2, 1, 1, 0, 0]);
    expect(agedPriority(2, 0, 500 * MIN, 0)).toBe(2);
    expect(agedPriority(1, 10 * MIN, 0, 30 * MIN)).toBe(1);
  });

  it('says when the next rise is due', () => {
    expect(nextPromotionMs(2, 0, 31 * MIN, 30 * MIN)).toBe(60 * MIN);
    expect(nextPromotionMs(1, 0, 31 * MIN, 30 * MIN)).toBeUndefined();
    expect(nextPromotionMs(2, 0, 0, 0)).toBeUndefined();
  });
});

describe('wait reasons for people', () => {
  it('names ids, holders and times', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(describeWait({ kind: 'dependency', ids: ['a', 'b'] }, now)).toBe('waits for dependencies: a, b');
    expect(describeWait({ kind: 'unknown', ids: ['nope'] }, now)).toBe(
      'waits for unknown task nope (no such id yet: submit it, or fix the id)',
    );
    expect(describeWait({ kind: 'lock', lock: 'src/**', heldBy: 'refactor' }, now)).toBe(
      'waits for lock src/** held by refactor',
    );
    expect(describeWait({ kind: 'slot', agents: ['claude'] }, now)).toBe('waits for a free slot of claude');
    expect(describeWait({ kind: 'slot', agents: ['qwen'], heldBack: ['qwen'] }, now)).toBe(
      'waits: qwen is held back in this run (--agents qwen:0); restart the daemon with a slot for it',
    );
    expect(describeWait({ kind: 'slot', agents: ['codex', 'qwen'], heldBack: ['qwen'] }, now)).toBe(
      'waits for a free slot of codex; qwen is held back in this run (--agents qwen:0)',
    );
    expect(describeWait({ kind: 'backoff', until: now + 90_000 }, now)).toBe(
      'waits out its retry backoff until 2026-01-01T00:01:30.000Z (in 1m 30s)',
    );
    expect(describeWait({ kind: 'paused', agent: 'codex', until: now + 60_000 }, now)).toBe(
      'waits: agent codex is paused by a usage limit until 2026-01-01T00:01:00.000Z (in 1m)',
    );
    expect(describePending({ kind: 'ends', outcome: 'skipped', why: 'tests completed' }, now)).toBe(
      'will end as skipped: tests completed',
    );
  });
});

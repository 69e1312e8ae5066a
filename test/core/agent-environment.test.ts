import { describe, expect, it } from 'vitest';
import { agentEnv, expandAgentSettings } from '../../src/core/agent-environment.js';
import { validateConfig } from '../../src/core/config-schema.js';

const environment: Record<string, string> = { HOME: '/home/me', KEY: 'sk-1', PATH: '/usr/bin' };

describe("an agent's environment and program", () => {
  it("fills each agent's env: and bin:, a relative bin: from the workspace root; names each unset variable's field", () => {
    const valid = validateConfig(
      {
        agents: {
          a: { preset: 'claude', bin: 'tools/$KEY', env: { K: '${KEY}' } },
          b: { preset: 'codex', bin: 'codex-beta' },
          c: { preset: 'qwen', env: { X: '$NOPE' } },
        },
      },
      ['claude', 'codex', 'qwen'],
    );
    if (!valid.ok) throw new Error(JSON.stringify(valid.problems));
    expect(expandAgentSettings(valid.config, environment, '/ws')).toEqual({
      ok: false,
      problems: [{ path: 'agents.c.env.X', message: expect.stringMatching(/^NOPE is not set/) }],
    });
    const expanded = expandAgentSettings(valid.config, { ...environment, NOPE: 'n' }, '/ws');
    expect(expanded.ok && expanded.config.agents).toMatchObject({
      a: { bin: '/ws/tools/sk-1', env: { K: 'sk-1' } },
      b: { bin: 'codex-beta' },
      c: { env: { X: 'n' } },
    });
  });

  it("gives an agent the daemon's environment, its own env: over it, and ORCHESTRATE_ROOT", () => {
    expect(
      agentEnv(environment, '/ws', { max_instances: 1, preset: 'claude', env: { PATH: '/opt:/usr/bin' } }),
    ).toEqual({ HOME: '/home/me', KEY: 'sk-1', PATH: '/opt:/usr/bin', ORCHESTRATE_ROOT: '/ws' });
  });
});

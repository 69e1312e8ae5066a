import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config-schema.js';

const presets = ['shell', 'claude'];

describe('validateConfig', () => {
  it('fills defaults for an empty file', () => {
    const result = validateConfig({}, presets);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.maxConcurrent).toBe(4);
    expect(result.config.agents.shell).toMatchObject({ preset: 'shell' });
    expect(result.config.defaults).toMatchObject({
      priority: 1,
      timeoutMs: 1_800_000,
      maxRetries: 1,
      retryDelayMs: 5000,
    });
    expect(result.config.contextFiles).toEqual(['context/project_overview.md']);
  });

  it('gives agents the project overview unless context.files says otherwise', () => {
    const files = (context: unknown) => {
      const result = validateConfig({ context }, presets);
      return result.ok ? result.config.contextFiles : result.problems;
    };
    expect(files({})).toEqual(['context/project_overview.md']);
    expect(files({ files: [] })).toEqual([]);
    expect(files({ files: ['docs/api.md'] })).toEqual(['docs/api.md']);
  });

  it('reads agents with command strings, argv lists, env and timeouts', () => {
    const result = validateConfig(
      {
        max_concurrent: 3,
        agents: {
          lint: { command: 'npm run lint', max_instances: 1 },
          tool: { command: ['my-agent', '--prompt', '{prompt}'], env: { A: 1 }, timeout: '45m', cwd: 'sub' },
        },
        defaults: { agent: 'lint', retry_delay: '5s' },
      },
      presets,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.agents.tool).toMatchObject({ env: { A: '1' }, timeoutMs: 2_700_000, max_instances: 1 });
    expect(result.config.defaults.retryDelayMs).toBe(5000);
  });

  it.each([
    [{ agents: { a: {} } }, 'agents.a', /exactly one of/],
    [{ agents: { a: { preset: 'shel' } } }, 'agents.a.preset', /unknown preset/],
    [{ agents: { a: { command: 'x | y' } } }, 'agents.a.command', /argv list/],
    [{ agents: { a: { preset: 'shell', max_instance: 2 } } }, 'agents.a.max_instance', /did you mean "max_instances"/],
    [{ agents: { a: { preset: 'shell', cwd: '../out' } } }, 'agents.a.cwd', /inside the workspace/],
    [{ agents: { a: { preset: 'shell', cwd: '/' } } }, 'agents.a.cwd', /inside the workspace/],
    [{ context: { files: ['docs/a.md', '/etc/passwd'] } }, 'context.files[1]', /inside the workspace/],
    [{ context: { files: ['../secrets.md'] } }, 'context.files[0]', /inside the workspace/],
    [{ defaults: { agent: 'nobody' } }, 'defaults.agent', /not an agent/],
    [{ max_concurrent: 0 }, 'max_concurrent', /1 or more/],
    [{ max_concurent: 2 }, 'max_concurent', /did you mean "max_concurrent"/],
    [{ agents: { a: { command: 'x', bin: '/opt/x' } } }, 'agents.a.bin', /first word of command:/],
    [{ agents: { a: { preset: 'shell', bin: '/opt/x' } } }, 'agents.a.bin', /shell preset runs \/bin\/sh/],
    [{ agents: { a: { preset: 'claude', bin: '~/bin/claude' } } }, 'agents.a.bin', /write \$\{HOME\}/],
    [{ agents: { a: { preset: 'shell', env: { KEY: '${KEY' } } } }, 'agents.a.env.KEY', /no closing \}/],
  ])('refuses %j at %s', (data, path, message) => {
    const result = validateConfig(data, presets);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual({ path, message: expect.stringMatching(message) });
  });
});

describe('validateConfig, sizes, presets and problems reported together', () => {
  it('takes max_output in defaults and per agent, 256 MB unless set; a bad one is a config problem', () => {
    const ok = validateConfig({ agents: { a: { preset: 'shell', max_output: '1GB' } } }, ['shell']);
    expect(ok.ok && ok.config.defaults.maxOutputBytes).toBe(256 * 1024 ** 2);
    expect(ok.ok && ok.config.agents.a!.maxOutputBytes).toBe(1024 ** 3);
    expect(validateConfig({ defaults: { max_output: 'lots' } }, ['shell'])).toMatchObject({
      ok: false,
      problems: [
        {
          path: 'defaults.max_output',
          message: 'must be a size such as 256MB, 1GB or a number of bytes (0: no limit)',
        },
      ],
    });
  });

  it('suggests the preset meant by a misspelt one', () => {
    expect(validateConfig({ agents: { a: { preset: 'claud' } } }, ['shell', 'claude'])).toMatchObject({
      ok: false,
      problems: [
        { path: 'agents.a.preset', message: 'unknown preset "claud" (did you mean "claude"? known: shell, claude)' },
      ],
    });
  });
});

describe('validateConfig, all at once', () => {
  it('reports a command that needs a shell and an unknown default agent beside the schema problems', () => {
    const result = validateConfig(
      { max_concurrent: 'four', agents: { lint: { command: 'npm run lint | tee out' } }, defaults: { agent: 'lnt' } },
      ['shell'],
    );
    expect(!result.ok && result.problems.map((problem) => problem.path).sort()).toEqual([
      'agents.lint.command',
      'defaults.agent',
      'max_concurrent',
    ]);
    expect(!result.ok && result.problems.find((problem) => problem.path === 'defaults.agent')?.message).toBe(
      '"lnt" is not an agent in agents: (did you mean "lint"? known: lint)',
    );
  });
});

describe('validateConfig, agents that are not a mapping', () => {
  it('says what agents: must be, and invents nothing about defaults.agent', () => {
    for (const agents of [null, ['a']]) {
      const result = validateConfig({ agents, defaults: { agent: 'claude' } }, ['shell']);
      expect(!result.ok && result.problems).toEqual([
        {
          path: 'agents',
          message: expect.stringMatching(
            /^must be a mapping of agent names to their settings, such as `shell: \{ preset: shell \}`, (but it is empty|not a list)/,
          ),
        },
      ]);
    }
  });
});

// What `orchestrate init` writes: no placeholder links, and the same retry policy as the built-in defaults.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/core/config-schema.js';
import { cli } from '../helpers/workspace.js';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the orchestrator.yaml init writes', () => {
  it('links nowhere, and its retry policy is the built-in one: one quick retry', () => {
    dir = mkdtempSync(join(tmpdir(), 'orchestrate-init-'));
    expect(cli(dir, ['init']).code).toBe(0);
    const text = readFileSync(join(dir, 'orchestrator.yaml'), 'utf8');
    expect(text).not.toMatch(/https?:\/\//);
    const written = validateConfig(parse(text), ['shell']);
    const builtIn = validateConfig({}, ['shell']);
    if (!written.ok || !builtIn.ok) throw new Error('invalid config');
    expect(written.config.defaults).toMatchObject({ maxRetries: 1, retryDelayMs: 5000 });
    expect(builtIn.config.defaults).toMatchObject({
      maxRetries: written.config.defaults.maxRetries,
      retryDelayMs: written.config.defaults.retryDelayMs,
      timeoutMs: written.config.defaults.timeoutMs,
    });
  });
});

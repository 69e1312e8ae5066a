import type { Config } from '../../core/config-schema.js';
import { loadConfig } from '../../queue/config-file.js';
import type { Layout } from '../../queue/layout.js';
import { loadRunConfig } from '../../queue/run-config.js';
import { CliError } from './errors.js';

// orchestrator.yaml for a command that cannot go on without it: its problems, one per line, else.
export function configOrFail(layout: Layout): Config {
  const loaded = loadConfig(layout);
  if (!loaded.ok) throw new CliError(loaded.errors.join('\n'));
  return loaded.config;
}

// orchestrator.yaml as a daemon started from here would run it (variables filled in from this
// environment and .env), with the warnings about .env; its problems, one per line, else.
export function runConfigOrFail(layout: Layout): { config: Config; warnings: string[] } {
  const loaded = loadRunConfig(layout);
  if (!loaded.ok) throw new CliError([...loaded.errors, ...loaded.warnings].join('\n'));
  return { config: loaded.config, warnings: loaded.warnings };
}

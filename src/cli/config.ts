import type { Config } from '../core/config-schema.js';
import { loadConfig } from '../queue/config-file.js';
import type { Layout } from '../queue/layout.js';
import { CliError } from './errors.js';

// orchestrator.yaml for a command that cannot go on without it: its problems, one per line, else.
export function configOrFail(layout: Layout): Config {
  const loaded = loadConfig(layout);
  if (!loaded.ok) throw new CliError(loaded.errors.join('\n'));
  return loaded.config;
}

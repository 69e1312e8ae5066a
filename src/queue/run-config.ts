import { expandAgentSettings, type Environment } from '../core/agent-environment.js';
import { formatProblem } from '../core/problems.js';
import { loadConfig, shownFile, type ConfigLoad } from './config-file.js';
import { readDotenv } from './dotenv-file.js';
import type { Layout } from './layout.js';

// The config as the daemon runs it, the environment its agents inherit, and what was wrong in .env.
export type RunConfigLoad = ConfigLoad & { environment: Environment; warnings: string[] };

// orchestrator.yaml with its variables filled in from the environment plus the workspace's .env
// (a variable set in the real environment wins over .env, as with dotenv and docker compose). The
// daemon loads it at start and on each change of either file; doctor and `start` check the same.
export function loadRunConfig(layout: Layout, processEnv: Environment = process.env): RunConfigLoad {
  const dotenv = readDotenv(layout);
  // A plain object: spreading process.env itself for each run would cost ~40 µs.
  const environment: Environment = { ...dotenv.values, ...processEnv };
  const loaded = loadConfig(layout);
  if (!loaded.ok) return { ...loaded, environment, warnings: dotenv.warnings };
  const expanded = expandAgentSettings(loaded.config, environment, layout.root);
  if (expanded.ok) return { ok: true, config: expanded.config, environment, warnings: dotenv.warnings };
  const file = shownFile(layout.configPath);
  return {
    ok: false,
    problems: expanded.problems,
    errors: expanded.problems.map((problem) => formatProblem(file, problem)),
    environment,
    warnings: dotenv.warnings,
  };
}

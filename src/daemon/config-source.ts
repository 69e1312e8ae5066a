import { statSync } from 'node:fs';
import { withAgentSlots, type AgentSlots } from '../core/agent-slots.js';
import type { Config } from '../core/config-schema.js';
import { describeProblem } from '../core/problems.js';
import type { Environment } from '../core/agent-environment.js';
import type { Layout } from '../queue/layout.js';
import { loadRunConfig } from '../queue/run-config.js';
import type { Logger } from './logger.js';

// How long the config files must be left alone after a watch event before they are read again.
const RELOAD_AFTER_MS = 100;

// Thrown when orchestrator.yaml is invalid at start: the CLI prints the lines and exits 1.
export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

// What identifies one version of the config and .env: a rewrite or a replacement of either changes it.
function signatureOf(layout: Layout): string {
  return [layout.configPath, layout.envPath]
    .map((path) => {
      const stats = statSync(path, { throwIfNoEntry: false });
      return stats ? `${stats.ino}:${stats.size}:${stats.mtimeMs}` : 'missing';
    })
    .join(' ');
}

// The config a daemon runs, with the environment its agents inherit (the daemon's plus .env, which
// fills the config's variables). Both are read again when either file changes (a watch event, or a new
// signature seen at a rescan or before answering a request), so a missed event costs one rescan at
// most; an invalid file is logged and the last good config kept, and the daemon can say so.
export class ConfigSource {
  private config: Config;
  private env: Environment;
  private signature: string;
  // The file's problems while the daemon keeps its last good config instead.
  private problems: string[] | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private closed = false;

  // Reads the config at start; an invalid one (or --agents naming an unknown agent) is a ConfigError.
  // `changed` is called after each new config is taken.
  constructor(
    private readonly layout: Layout,
    private readonly agentSlots: AgentSlots | undefined,
    private readonly log: Logger,
    private readonly changed: () => void,
  ) {
    this.signature = signatureOf(layout);
    const loaded = loadRunConfig(layout);
    for (const warning of loaded.warnings) log.warn(warning);
    if (!loaded.ok) throw new ConfigError(loaded.errors);
    const slotted = withAgentSlots(loaded.config, agentSlots);
    if (slotted.unknown.length > 0)
      throw new ConfigError(
        slotted.unknown.map(
          (name) =>
            `--agents: unknown agent "${name}" (agents in orchestrator.yaml: ${Object.keys(loaded.config.agents).join(', ')})`,
        ),
      );
    this.config = slotted.config;
    this.env = loaded.environment;
  }

  current(): Config {
    return this.config;
  }

  // Swapped together with the config, so a run never mixes an old config with a new environment.
  environment(): Environment {
    return this.env;
  }

  // The problems of the file on disk when the daemon runs an older config than it; else undefined.
  staleBecause(): string[] | undefined {
    this.refresh();
    return this.problems;
  }

  // A watch event on either file: read both again once the writes pause (an editor's save is
  // several events).
  reloadSoon(): void {
    if (this.closed) return;
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => this.refresh(true), RELOAD_AFTER_MS);
  }

  // The daemon stops: no reload is pending or armed after this.
  close(): void {
    this.closed = true;
    clearTimeout(this.reloadTimer);
  }

  // Reads the file again if it changed (or always, when `force`, on a watch event).
  refresh(force = false): void {
    const signature = signatureOf(this.layout);
    if (!force && signature === this.signature) return;
    this.signature = signature;
    const next = loadRunConfig(this.layout);
    for (const warning of next.warnings) this.log.warn(warning);
    if (!next.ok) {
      const problems = next.problems.map(describeProblem);
      // The same problems seen again (a watch event after a request already looked) are logged once.
      if (this.problems?.join('\n') === problems.join('\n')) return;
      for (const line of next.errors) this.log.error(line);
      this.log.error('keeping the last good configuration');
      this.problems = problems;
      return;
    }
    const slotted = withAgentSlots(next.config, this.agentSlots);
    for (const name of slotted.unknown)
      this.log.warn(`--agents names ${name}, which is no longer in orchestrator.yaml; ignored`);
    this.config = slotted.config;
    this.env = next.environment;
    this.problems = undefined;
    this.log.info('reloaded orchestrator.yaml and .env');
    this.changed();
  }
}

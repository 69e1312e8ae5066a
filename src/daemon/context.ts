import type { Environment } from '../core/agent-environment.js';
import type { Config } from '../core/config-schema.js';
import type { Layout } from '../queue/layout.js';
import type { TaskIndex } from '../queue/task-index.js';
import type { Logger } from './logger.js';

// What the daemon's parts share: the workspace, the live config, the log and the events file.
export interface DaemonContext {
  layout: Layout;
  config(): Config;
  // What agents inherit: the daemon's environment plus the workspace's .env, reloaded with the config.
  environment(): Environment;
  log: Logger;
  worker: string;
  index: TaskIndex;
  event(type: string, fields: Record<string, unknown>): void;
}

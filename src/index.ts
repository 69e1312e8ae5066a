// The library API: the daemon as a function, for embedding and for in-process tests.
export { ensureWorkspace } from './queue/workspace-folders.js';
export { runDaemon, ConfigError, DaemonBusyError, type DaemonOptions, type DaemonExit } from './daemon/run-daemon.js';
export { layoutOf, type Layout } from './queue/layout.js';
export { createLogger } from './daemon/logger.js';

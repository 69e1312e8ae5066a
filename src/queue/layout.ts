import { join, resolve } from 'node:path';
import type { StateFolder } from '../core/state-folders.js';

// Every path of a workspace, derived from its root in one place.
export interface Layout {
  root: string;
  configPath: string;
  // The git-ignored variables (API keys) the daemon adds to its environment.
  envPath: string;
  tasksDir: string;
  contextDir: string;
  outputsDir: string;
  runtimeDir: string;
  runsDir: string;
  locksDir: string;
  daemonInfoPath: string;
  daemonLogPath: string;
  // The daemon's latest errors, for `orchestrate status`.
  errorTrailPath: string;
  eventsPath: string;
  indexPath: string;
  folder(state: StateFolder): string;
  taskPath(state: StateFolder, id: string): string;
  errorPath(id: string): string;
  outputPath(id: string): string;
  runDir(id: string, attempt: number): string;
}

// Builds the layout of the workspace at `root`.
export function layoutOf(root: string): Layout {
  const absolute = resolve(root);
  const tasksDir = join(absolute, 'tasks');
  const contextDir = join(absolute, 'context');
  const runtimeDir = join(absolute, '.orchestrate');
  return {
    root: absolute,
    configPath: join(absolute, 'orchestrator.yaml'),
    envPath: join(absolute, '.env'),
    tasksDir,
    contextDir,
    outputsDir: join(contextDir, 'agent_outputs'),
    runtimeDir,
    runsDir: join(runtimeDir, 'runs'),
    locksDir: join(runtimeDir, 'locks'),
    daemonInfoPath: join(runtimeDir, 'daemon.json'),
    daemonLogPath: join(runtimeDir, 'daemon.log'),
    errorTrailPath: join(runtimeDir, 'errors.json'),
    eventsPath: join(runtimeDir, 'events.jsonl'),
    indexPath: join(runtimeDir, 'index.tsv'),
    folder: (state) => join(tasksDir, state),
    taskPath: (state, id) => join(tasksDir, state, `${id}.yaml`),
    errorPath: (id) => join(tasksDir, 'failed', `${id}.error`),
    outputPath: (id) => join(contextDir, 'agent_outputs', `${id}.md`),
    runDir: (id, attempt) => join(runtimeDir, 'runs', id, String(attempt)),
  };
}

import { mkdirSync } from 'node:fs';
import { STATE_FOLDERS } from '../core/state-folders.js';
import type { Layout } from './layout.js';

// Creates the folders a workspace needs (idempotent).
export function ensureWorkspace(layout: Layout): void {
  for (const state of STATE_FOLDERS) mkdirSync(layout.folder(state), { recursive: true });
  for (const dir of [layout.outputsDir, layout.runsDir, layout.locksDir]) mkdirSync(dir, { recursive: true });
}

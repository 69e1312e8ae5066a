import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import type { Layout } from './layout.js';

// Serialises one task's transitions between the daemon and CLI commands. Advisory only: a stale
// lock can be granted twice, so exclusivity itself rests on link-based moves, never on this.
export async function withTaskLock<T>(layout: Layout, id: string, work: () => Promise<T>): Promise<T> {
  mkdirSync(layout.locksDir, { recursive: true });
  const release = await lockfile.lock(join(layout.locksDir, id), {
    realpath: false,
    lockfilePath: join(layout.locksDir, `${id}.lock`),
    stale: 10_000,
    retries: { retries: 50, minTimeout: 5, maxTimeout: 100 },
  });
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}

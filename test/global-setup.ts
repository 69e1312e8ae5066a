import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Builds dist/ before any test runs: the tests drive the built CLI, which must never be stale.
export default function buildOnce(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
  });
}

// Installs the pinned agent CLIs the end-to-end tests drive into .cache/e2e-clis/ (git-ignored),
// once: a later run finds them there. Pinned because under Node 20 a plain install silently picks
// an older release of some of them.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const E2E_CLIS = {
  '@anthropic-ai/claude-code': '2.1.330',
  '@qwen-code/qwen-code': '0.24.4',
  '@github/copilot': '1.0.102',
  '@google/gemini-cli': '0.61.0',
  '@openai/codex': '0.169.0',
};
export const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '.cache', 'e2e-clis');

function installed(name, version) {
  try {
    return JSON.parse(readFileSync(join(CACHE, 'node_modules', name, 'package.json'), 'utf8')).version === version;
  } catch {
    return false;
  }
}

const missing = Object.entries(E2E_CLIS).filter(([name, version]) => !installed(name, version));
if (missing.length > 0) {
  mkdirSync(CACHE, { recursive: true });
  // All of them in one install: npm prunes from the prefix whatever a partial install does not name.
  const specs = Object.entries(E2E_CLIS).map(([name, version]) => `${name}@${version}`);
  process.stderr.write(`installing ${specs.join(', ')} into ${CACHE}...\n`);
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--save-exact', '--prefix', CACHE, ...specs], {
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
for (const bin of ['claude', 'qwen', 'copilot', 'gemini', 'codex']) {
  if (!existsSync(join(CACHE, 'node_modules', '.bin', bin))) {
    process.stderr.write(`${bin} is missing from ${CACHE}/node_modules/.bin after the install\n`);
    process.exit(1);
  }
}

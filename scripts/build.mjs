// Bundles the CLI so that `orchestrate add` and `status` start fast: one file per lazily loaded command.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: {
    'bin/orchestrate': 'src/bin/orchestrate.ts',
    index: 'src/index.ts',
  },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  banner: {
    js: "import { createRequire as __orchestrateCreateRequire } from 'node:module'; const require = __orchestrateCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

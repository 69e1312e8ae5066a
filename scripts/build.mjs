// Bundles the CLI so that `orchestrate add` and `status` start fast.
//
// 1. ES modules: the full program (dist/cli.js), and the library; every command and
//    every lazily imported part is its own chunk, loaded only when used.
// 2. CommonJS (by dist/bin/package.json): the entry point, dist/bin/orchestrate.js, with the plain
//    `add` inlined, and dist/bin/status.js, which it requires for a plain `status`: they start
//    without the ES module loader or commander. What the entry imports lazily (the full program,
//    the agent check, --file's parser) it takes from the chunks of 1; status has all it needs inlined.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
rmSync(resolve(root, 'dist'), { recursive: true, force: true });
const common = {
  absWorkingDir: root,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
};

const modules = await build({
  ...common,
  entryPoints: { cli: 'src/bin/program.ts', index: 'src/index.ts' },
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  banner: {
    js: "import { createRequire as __orchestrateCreateRequire } from 'node:module'; const require = __orchestrateCreateRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
});

// Each module loaded lazily (an entry point or a dynamic import's target) -> its chunk.
const chunkOf = new Map(
  Object.entries(modules.metafile.outputs).flatMap(([output, { entryPoint }]) =>
    entryPoint ? [[resolve(root, entryPoint), resolve(root, output)]] : [],
  ),
);

const lazyFromChunks = {
  name: 'lazy-imports-from-chunks',
  setup(entry) {
    entry.onResolve({ filter: /^\.\/status\.js$/ }, ({ kind }) =>
      kind === 'require-call' ? { path: './status.js', external: true } : undefined,
    );
    entry.onResolve({ filter: /.*/ }, ({ kind, path, resolveDir }) => {
      if (kind !== 'dynamic-import') return undefined;
      const chunk = chunkOf.get(resolve(resolveDir, path.replace(/\.js$/, '.ts')));
      if (!chunk)
        return { errors: [{ text: `${path}: imported lazily, but no chunk of the ES module build holds it` }] };
      const from = relative(resolve(root, 'dist/bin'), chunk);
      return { path: from.startsWith('.') ? from : `./${from}`, external: true };
    });
  },
};

await build({
  ...common,
  entryPoints: { 'bin/orchestrate': 'src/bin/orchestrate.ts' },
  format: 'cjs',
  plugins: [lazyFromChunks],
  logLevel: 'warning',
});
await build({
  ...common,
  entryPoints: { 'bin/status': 'src/cli/status.ts' },
  format: 'cjs',
  logLevel: 'warning',
});
mkdirSync(resolve(root, 'dist/bin'), { recursive: true });
writeFileSync(resolve(root, 'dist/bin/package.json'), '{ "type": "commonjs" }\n');

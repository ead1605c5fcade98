// Bundles the `propensity` CLI (and any worker entry points) into build/ for fast start-up.
// Dependencies stay external: they are resolved from node_modules at run time.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function workerEntries(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return workerEntries(path);
    return entry.name.endsWith('.worker.ts') ? [relative(root, path)] : [];
  });
}

export async function buildCli() {
  await build({
    absWorkingDir: root,
    entryPoints: ['pipeline/cli/main.ts', ...workerEntries(join(root, 'pipeline'))],
    outdir: 'build',
    entryNames: '[name]',
    // Commands are imported when they run: their code goes into chunks loaded on demand.
    splitting: true,
    chunkNames: '[name]-[hash]',
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();

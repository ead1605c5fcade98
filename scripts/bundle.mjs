// Bundles every action (`actions/<name>/src/main.ts`) into one ESM file, `actions/<name>/dist/index.js`,
// which is what `runs.main` in its action.yml points at. The bundles are committed: GitHub runs them as
// they are. onnxruntime-node stays external (a native addon cannot be bundled); the workflow runs `npm ci`
// first, so it resolves from the workspace's node_modules.
//
//   node scripts/bundle.mjs            rebuild every bundle
//   node scripts/bundle.mjs --check    rebuild into a temporary directory and exit 1 naming every action
//                                      whose committed bundle differs (a source changed without a rebuild)
//   --root DIR                         the project to work on (default: this repository)
import { build } from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));

// ESM output still has CommonJS dependencies inside that call `require` for Node built-ins: give them one.
const banner = [
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  'const require = __bundleCreateRequire(import.meta.url);',
].join('\n');

/** The actions of a project: every `actions/<name>/` with a `src/main.ts`. */
export function actionNames(root = here) {
  const dir = join(root, 'actions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'src', 'main.ts')))
    .map((entry) => entry.name)
    .sort();
}

async function bundleOne(root, name, outfile) {
  await build({
    absWorkingDir: root,
    entryPoints: [`actions/${name}/src/main.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['onnxruntime-node'],
    loader: { '.hbs': 'text' },
    banner: { js: banner },
    legalComments: 'none',
    sourcemap: false,
    logLevel: 'error',
    // A bundle must not depend on where it was built: no absolute paths, same bytes every time.
    metafile: false,
  });
}

/** Rebuilds every action's bundle in place. Returns the action names. */
export async function bundleActions(root = here) {
  const names = actionNames(root);
  for (const name of names) await bundleOne(root, name, join(root, 'actions', name, 'dist', 'index.js'));
  return names;
}

/** Names of the actions whose committed bundle is missing or differs from a fresh build. */
export async function staleBundles(root = here) {
  const scratch = mkdtempSync(join(tmpdir(), 'bundle-check-'));
  try {
    const stale = [];
    for (const name of actionNames(root)) {
      const fresh = join(scratch, name, 'index.js');
      await bundleOne(root, name, fresh);
      const committed = join(root, 'actions', name, 'dist', 'index.js');
      if (!existsSync(committed) || !readFileSync(committed).equals(readFileSync(fresh))) stale.push(name);
    }
    return stale;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const rootIndex = args.indexOf('--root');
  const root = rootIndex >= 0 ? resolve(args[rootIndex + 1] ?? '.') : here;
  if (args.includes('--check')) {
    const stale = await staleBundles(root);
    if (stale.length > 0) {
      for (const name of stale) {
        process.stderr.write(
          `actions/${name}/dist/index.js is stale: its sources changed since the last bundle.\n`,
        );
      }
      process.stderr.write('Run `npm run bundle` and commit the result.\n');
      process.exit(1);
    }
    process.stdout.write(`bundles are fresh: ${actionNames(root).join(', ') || '(no actions)'}\n`);
  } else {
    const names = await bundleActions(root);
    process.stdout.write(`bundled: ${names.map((n) => `actions/${n}/dist/index.js`).join(', ')}\n`);
  }
}

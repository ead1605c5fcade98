#!/usr/bin/env node
import { existsSync } from 'node:fs';

const cli = new URL('../build/main.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'propensity: the CLI is not built yet. Run `npm install` (or `npm run build`) first.\n',
  );
  process.exit(1);
}
await import(cli.href);

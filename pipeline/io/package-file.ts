import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds a file of this package by its path from the package root. The code runs from pipeline/ (tests),
 * from build/ (the bundled CLI) or from actions/<name>/dist/ (bundled actions), so walk up from here to
 * the directory that holds the file.
 */
export function packageFile(relative: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`cannot find ${relative} above ${dirname(fileURLToPath(import.meta.url))}`);
    dir = parent;
  }
}

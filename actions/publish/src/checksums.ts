/** SHA256SUMS in the format `sha256sum -c` reads: `<hex>  <name>`, one file a line, sorted by name. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function sha256sums(paths: string[]): Promise<string> {
  const lines: string[] = [];
  for (const path of [...paths].sort((a, b) => basename(a).localeCompare(basename(b)))) {
    lines.push(`${await sha256File(path)}  ${basename(path)}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Where the month's users file comes from: a path in the repository, or the bank's export endpoint
 * (an https URL, with a secret sent as a bearer token). A download is streamed to the runner's temp dir.
 */
import * as core from '@actions/core';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ActionError } from '../../shared/errors.js';

export function isUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

export async function downloadInput(url: string, token: string | undefined, dir: string): Promise<string> {
  if (!/^https:\/\//i.test(url) && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(url)) {
    throw new ActionError('input URLs must use https (customer data must not travel in clear text)');
  }
  if (token) core.setSecret(token);
  await mkdir(dir, { recursive: true });
  const target = join(dir, 'users.csv');
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!response.ok || !response.body) {
    throw new ActionError(
      `downloading the users file failed: HTTP ${response.status}` +
        (response.status === 401 || response.status === 403 ? ' (check the input-token secret)' : ''),
    );
  }
  await pipeline(
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
    createWriteStream(target),
  );
  core.info(`downloaded the users file to ${target}`);
  return target;
}

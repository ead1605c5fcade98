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

/** https, or plain http to this machine only (tests, a local proxy). */
const isSecure = (url: string): boolean =>
  /^https:\/\//i.test(url) || /^http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(url);

const MAX_REDIRECTS = 5;

/**
 * GETs `url`, following redirects one at a time so that each hop is checked: a redirect to plain http
 * would carry customer data in clear text. The token goes to the URL's own origin only.
 */
async function fetchSecurely(url: string, token: string | undefined): Promise<Response> {
  const origin = new URL(url).origin;
  let current = url;
  for (let hop = 0; ; hop++) {
    if (!isSecure(current)) {
      throw new ActionError(
        hop === 0
          ? 'input URLs must use https (customer data must not travel in clear text)'
          : 'the users file URL redirects to a plain-http address: refused (customer data must not travel in clear text)',
      );
    }
    const sameOrigin = new URL(current).origin === origin;
    const response = await fetch(current, {
      headers: token && sameOrigin ? { authorization: `Bearer ${token}` } : {},
      redirect: 'manual',
    });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || !location) return response;
    if (hop === MAX_REDIRECTS)
      throw new ActionError(`the users file URL redirects more than ${MAX_REDIRECTS} times`);
    await response.body?.cancel();
    current = new URL(location, current).href;
  }
}

export async function downloadInput(url: string, token: string | undefined, dir: string): Promise<string> {
  if (token) core.setSecret(token);
  if (!isSecure(url))
    throw new ActionError('input URLs must use https (customer data must not travel in clear text)');
  await mkdir(dir, { recursive: true });
  const target = join(dir, 'users.csv');
  const response = await fetchSecurely(url, token);
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

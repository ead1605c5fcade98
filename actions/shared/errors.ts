/**
 * Turns GitHub API failures into messages that say what to change. The most common one in a new
 * repository is a missing `permissions:` entry: GitHub answers 403 "Resource not accessible by
 * integration", which tells a user nothing about the fix.
 */

/** The permission each kind of call needs, as written in a workflow's `permissions:` block. */
export type Permission = 'contents: write' | 'pull-requests: write' | 'issues: write' | 'contents: read';

interface HttpError {
  status?: number;
  message?: string;
}

function asHttpError(error: unknown): HttpError {
  return typeof error === 'object' && error !== null ? (error as HttpError) : {};
}

/** A failure the user can fix; the action prints the message without a stack trace. */
export class ActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionError';
  }
}

/** Runs one GitHub call; a 403/404 from a missing permission becomes an ActionError naming it. */
export async function withPermission<T>(
  what: string,
  permission: Permission,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const { status, message = '' } = asHttpError(error);
    if (status === 403 && !/rate limit/i.test(message)) {
      throw new ActionError(
        `GitHub refused to ${what} (403: ${message.split('\n')[0]}). This job needs \`${permission}\`: ` +
          `add it under \`permissions:\` for this job in the workflow file` +
          (permission === 'contents: write' || permission === 'pull-requests: write'
            ? ' (a pull request from a fork always gets a read-only token).'
            : '.'),
      );
    }
    throw error;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof ActionError) return error.message;
  const withDescribe = error as { describe?: () => string };
  if (typeof withDescribe?.describe === 'function') return withDescribe.describe();
  if (error instanceof Error) return error.message;
  return String(error);
}

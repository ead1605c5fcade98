/**
 * Errors meant for the person running the pipeline. They carry what went wrong and what to do about it,
 * and map to exit code 2 (bad input or usage) without a stack trace. Anything else is a bug: exit 1.
 */
export class UserError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
  /** The message as a person should read it: the problem, then the fix. */
  describe(): string {
    return this.hint ? `${this.message}\n  fix: ${this.hint}` : this.message;
  }
}

/** A command line that does not parse: unknown option, missing argument. */
export class UsageError extends UserError {}

/** An input file that cannot be used at all: not CSV, not UTF-8, empty, a column missing. */
export class DataFileError extends UserError {
  constructor(
    readonly file: string,
    message: string,
    hint?: string,
  ) {
    super(`${file}: ${message}`, hint);
  }
}

/** A configuration, model or profile that is not what it claims to be. */
export class InvalidArtifactError extends UserError {}

/** Too many bad rows: publishing would hide a broken export. */
export class RejectRateError extends UserError {}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

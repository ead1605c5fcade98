/**
 * The one logger of the library. Library code calls `log.info(...)`; whoever hosts the library (the CLI,
 * an action, a test) decides where the lines go by installing a sink. Results never go through here:
 * they go to stdout or to files.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface LogSink {
  write(level: Level, message: string): void;
}

const quiet: LogSink = { write: () => {} };
let sink: LogSink = quiet;

export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? quiet;
}

export const log = {
  debug: (message: string): void => sink.write('debug', message),
  info: (message: string): void => sink.write('info', message),
  warn: (message: string): void => sink.write('warn', message),
  error: (message: string): void => sink.write('error', message),
};

/** Reports progress of long work at most every `everyMs` milliseconds. */
export function progressReporter(label: string, everyMs = 2000): (done: number, total?: number) => void {
  let last = Date.now();
  return (done, total) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    const share = total ? ` (${Math.round((100 * done) / total)}%)` : '';
    log.info(
      `${label}: ${done.toLocaleString('en-US')}${total ? ` of ${total.toLocaleString('en-US')}` : ''}${share}`,
    );
  };
}

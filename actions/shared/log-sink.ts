/** Sends the pipeline's log lines to the Actions log: warnings and errors become annotations. */
import * as core from '@actions/core';
import { setLogSink, type Level } from '../../pipeline/log.js';

export function installActionsLogSink(): void {
  setLogSink({
    write(level: Level, message: string) {
      if (level === 'debug') core.debug(message);
      else if (level === 'warn') core.warning(message);
      else if (level === 'error') core.error(message);
      else core.info(message);
    },
  });
}

/** The frame of every action: install the log sink, run, and fail the step with a readable message. */
import * as core from '@actions/core';
import { describeError } from './errors.js';
import { installActionsLogSink } from './log-sink.js';

export async function runMain(run: () => Promise<void>): Promise<void> {
  installActionsLogSink();
  try {
    await run();
  } catch (error) {
    core.setFailed(describeError(error));
    if (core.isDebug() && error instanceof Error && error.stack) core.debug(error.stack);
  }
}

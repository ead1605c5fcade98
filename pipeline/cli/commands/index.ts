import type { Command } from '../command.js';
import { compareCommand } from './compare.js';
import { driftCommand } from './drift.js';
import { evaluateCommand } from './evaluate.js';
import { mergeCommand } from './merge.js';
import { monthlyCommand } from './monthly.js';
import { profileCommand } from './profile.js';
import { scoreCommand } from './score.js';
import { siteCommand } from './site.js';
import { synthHistoryCommand, synthUsersCommand } from './synth.js';
import { trainCommand } from './train.js';
import { validateCommand } from './validate.js';

/** Every `propensity` command, in the order `--help` lists them. */
export const commands: Command[] = [
  validateCommand,
  scoreCommand,
  mergeCommand,
  monthlyCommand,
  synthUsersCommand,
  synthHistoryCommand,
  trainCommand,
  evaluateCommand,
  compareCommand,
  driftCommand,
  siteCommand,
  profileCommand,
];

import type { Command } from '../command.js';

/**
 * Every `propensity` command by name, in the order `--help` lists them. Each is loaded only when it runs,
 * so a command pays at start-up only for its own dependencies (scoring does not load the report engine).
 */
export const commandLoaders: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./validate.js')).validateCommand,
  score: async () => (await import('./score.js')).scoreCommand,
  merge: async () => (await import('./merge.js')).mergeCommand,
  monthly: async () => (await import('./monthly.js')).monthlyCommand,
  'synth users': async () => (await import('./synth.js')).synthUsersCommand,
  'synth history': async () => (await import('./synth.js')).synthHistoryCommand,
  train: async () => (await import('./train.js')).trainCommand,
  evaluate: async () => (await import('./evaluate.js')).evaluateCommand,
  compare: async () => (await import('./compare.js')).compareCommand,
  drift: async () => (await import('./drift.js')).driftCommand,
  site: async () => (await import('./site.js')).siteCommand,
  profile: async () => (await import('./profile.js')).profileCommand,
};

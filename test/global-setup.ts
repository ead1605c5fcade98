// Tests that run the CLI as a child process need a fresh build of it.
import { buildCli } from '../scripts/build.mjs';

export default async function setup(): Promise<void> {
  await buildCli();
}

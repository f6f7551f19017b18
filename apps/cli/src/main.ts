#!/usr/bin/env node
// `pnpm --silent drydock <command>`: Drydock's command line for people and pipelines.
import { runCli } from './cli.ts';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
process.exitCode = code;

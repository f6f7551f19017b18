#!/usr/bin/env node
// `pnpm --silent drydock <command>`: Drydock's command line for people and pipelines.
import { writeFile } from 'node:fs/promises';
import { runCli } from './cli.ts';

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  env: process.env,
  writeFile: (path, data) => writeFile(path, data),
});
process.exitCode = code;

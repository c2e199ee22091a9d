#!/usr/bin/env node
import 'reflect-metadata';
import { runCli } from './cli';
import { CliContext } from './core/cli-context';
import { ExitCode, oneLine } from './core/cli-errors';

/** `ccctl`: the operator CLI for the admin API (README "ccctl"). */
runCli(process.argv.slice(2), new CliContext(process.env, process.stdout, process.stderr)).then(
  (code) => {
    // Not process.exit: it could cut a large answer still flowing into a pipe.
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`ccctl: unexpected error: ${oneLine(error.message)}\n`);
    process.exitCode = ExitCode.API_ERROR;
  },
);

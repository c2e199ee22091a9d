import { CommandFactory, CommandRunnerService } from 'nest-commander';
import { CcctlModule, CommandNode, CommandTree } from './ccctl.module';
import { CliContext } from './core/cli-context';
import { CliFailure, ExitCode, ExitCodeValue, oneLine } from './core/cli-errors';

/** What commander throws once exitOverride is on: it has already printed its message. */
interface CommanderError {
  code: string;
  exitCode: number;
}

const isCommanderError = (error: unknown): error is CommanderError =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as CommanderError).code === 'string' &&
  (error as CommanderError).code.startsWith('commander.') &&
  typeof (error as CommanderError).exitCode === 'number';

/**
 * Subcommands are built apart from their parent, so commander's settings do not reach them:
 * every command throws instead of calling process.exit, and refuses arguments it did not declare.
 */
function configureTree(command: CommandNode): void {
  command.exitOverride();
  command.allowExcessArguments(false);
  for (const child of command.commands) configureTree(child);
}

/** Runs one command line (without `node ccctl`) and answers the exit code. */
export async function runCli(argv: readonly string[], context: CliContext): Promise<ExitCodeValue> {
  let failure: unknown;
  const app = await CommandFactory.createWithoutRunning(CcctlModule.forContext(context), {
    cliName: 'ccctl',
    logger: false,
    serviceErrorHandler: (error) => {
      failure = error;
    },
    outputConfiguration: {
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      // Commander's own usage errors, in the same one-line shape as ours.
      outputError: (text, write) => write(`ccctl: ${text.replace(/^error: /, '')}`),
    },
  });
  try {
    configureTree(app.get(CommandTree).root);
    await app.get(CommandRunnerService).run(['node', 'ccctl', ...argv]);
  } finally {
    await app.close();
  }
  return exitCodeOf(failure, context);
}

function exitCodeOf(failure: unknown, context: CliContext): ExitCodeValue {
  if (failure === undefined) return ExitCode.OK;
  // Help and usage errors: commander printed them already.
  if (isCommanderError(failure)) return failure.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
  if (failure instanceof CliFailure) {
    context.stderr.write(`ccctl: ${oneLine(failure.message)}\n`);
    return failure.exitCode;
  }
  const message = failure instanceof Error ? failure.message : String(failure);
  context.stderr.write(`ccctl: unexpected error: ${oneLine(message)}\n`);
  return ExitCode.API_ERROR;
}

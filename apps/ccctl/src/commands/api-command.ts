import { Injectable } from '@nestjs/common';
import { CommandRunner, Option } from 'nest-commander';
import { ApiClient } from '../api/api-client';
import { resolveConnection } from '../api/connection';
import { CliContext } from '../core/cli-context';
import { UsageFailure } from '../core/cli-errors';

/** The flags every API command takes (also read from CCCTL_URL / CCCTL_TOKEN). */
export interface CommonOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** What a command produced: the envelope's data for `--json`, and its human rendering. */
export interface CommandOutput {
  data: unknown;
  human: () => string;
  /** A line for stderr in both modes (warnings that must not pollute parseable stdout). */
  notice?: string;
}

/**
 * A leaf command that calls the API: resolves the connection, runs `execute`, prints the data as
 * JSON (`--json`) or as text. Failures are thrown and turned into exit codes by cli.ts.
 */
@Injectable()
export abstract class ApiCommand<
  Options extends CommonOptions = CommonOptions,
> extends CommandRunner {
  constructor(protected readonly cli: CliContext) {
    super();
  }

  protected abstract execute(
    args: string[],
    options: Options,
    api: ApiClient,
  ): Promise<CommandOutput>;

  async run(args: string[], options: Options): Promise<void> {
    const api = new ApiClient(resolveConnection(options, this.cli.env));
    const output = await this.execute(args, options, api);
    if (output.notice) this.cli.stderr.write(`${output.notice}\n`);
    const text = options.json ? JSON.stringify(output.data ?? null, null, 2) : output.human();
    this.cli.stdout.write(`${text}\n`);
  }

  @Option({
    flags: '--url <url>',
    description: 'admin API base URL (env CCCTL_URL; default http://127.0.0.1:8080)',
  })
  parseUrl(value: string): string {
    return value;
  }

  @Option({ flags: '--token <token>', description: 'bearer token (env CCCTL_TOKEN)' })
  parseToken(value: string): string {
    return value;
  }

  @Option({ flags: '--json', description: "print the answer's data as JSON" })
  parseJson(): boolean {
    return true;
  }
}

/** A command that only groups subcommands: run without one, it is a usage error. */
@Injectable()
export abstract class GroupCommand extends CommandRunner {
  protected abstract readonly usage: string;

  run(): Promise<void> {
    return Promise.reject(new UsageFailure(`missing subcommand: ${this.usage} (see --help)`));
  }
}

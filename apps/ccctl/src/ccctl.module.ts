import { DynamicModule, Injectable, Module } from '@nestjs/common';
import { InjectCommander } from 'nest-commander';
import { CliContext } from './core/cli-context';
import { auditCommands } from './commands/audit.command';
import { authCommands } from './commands/auth.command';
import { cacheRouterCommands } from './commands/cacherouter.command';
import { clusterCommands } from './commands/cluster.command';
import { configCommands } from './commands/config.command';
import { namespaceCommands } from './commands/namespace.command';
import { settingsCommands } from './commands/settings.command';

/** The part of commander's Command that cli.ts adjusts (nest-commander bundles commander 11). */
export interface CommandNode {
  readonly commands: readonly CommandNode[];
  exitOverride(): unknown;
  allowExcessArguments(allow: boolean): unknown;
}

/** Hands out nest-commander's root command, built once every command class is registered. */
@Injectable()
export class CommandTree {
  constructor(@InjectCommander() readonly root: CommandNode) {}
}

@Module({})
export class CcctlModule {
  static forContext(context: CliContext): DynamicModule {
    return {
      module: CcctlModule,
      providers: [
        { provide: CliContext, useValue: context },
        CommandTree,
        ...clusterCommands,
        ...configCommands,
        ...namespaceCommands,
        ...authCommands,
        ...settingsCommands,
        ...auditCommands,
        ...cacheRouterCommands,
      ],
    };
  }
}

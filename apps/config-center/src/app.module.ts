import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AppConfig } from './env/app-config';
import { EnvModule } from './env/env.module';
import { AdminAuthGuard } from './http/admin-auth.guard';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { NamespaceModule } from './namespace/namespace.module';
import { ObservabilityModule } from './observability/observability.module';
import { RaftModule } from './raft/raft.module';
import { StateModule } from './state/state.module';
import { VersionModule } from './version/version.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EnvModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Fastify already chose the request id (X-Request-Id or a new UUID): log the same one.
            genReqId: (request) => (request as unknown as { id: string }).id,
            customProps: () => ({ node_id: config.nodeId }),
            autoLogging: false,
            quietReqLogger: true,
          },
          // The hot paths (client reads, node-to-node RPC) skip the per-request child logger and
          // its async context: ~12% of a read's CPU. Their rare logs carry no request id.
          exclude: [
            { method: RequestMethod.ALL, path: 'api/v1/config/*path' },
            { method: RequestMethod.ALL, path: 'internal/raft/*path' },
          ],
        }),
        DatabaseModule,
        ObservabilityModule,
        StateModule,
        RaftModule,
        NamespaceModule,
        VersionModule,
        ConfigModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_GUARD, useClass: AdminAuthGuard },
      ],
    };
  }
}

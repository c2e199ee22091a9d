import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { AuditModule } from './audit/audit.module';
import { CacheModule } from './cache/cache.module';
import { ClusterAuditPeers } from './cluster-audit-peers';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AppConfig, isClusterMode } from './env/app-config';
import { EnvModule } from './env/env.module';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { NamespaceModule } from './namespace/namespace.module';
import { ObservabilityModule } from './observability/observability.module';
import { RaftModule } from './raft/raft.module';
import { SettingsModule } from './settings/settings.module';
import { StateModule } from './state/state.module';
import { VersionModule } from './version/version.module';
import { WatchModule } from './watch/watch.module';

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
          // No per-request child logger on any route: pino-http's middleware (a child logger and
          // an async context per request) was ~7% of a write's CPU on the leader and ~12% of a
          // read's, and nothing logs per request: the exception filter puts request_id in the
          // one line it writes. Loggers fall back to the root logger.
          forRoutes: [],
        }),
        DatabaseModule,
        ObservabilityModule,
        StateModule,
        RaftModule.forRoot(config),
        NamespaceModule,
        VersionModule,
        ConfigModule,
        WatchModule,
        AuthModule,
        SettingsModule,
        CacheModule,
        AuditModule.forRoot({ peers: ClusterAuditPeers, cluster: isClusterMode(config.cluster) }),
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}

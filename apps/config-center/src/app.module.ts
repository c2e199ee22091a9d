import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AppConfig } from './env/app-config';
import { EnvModule } from './env/env.module';
import { AdminAuthGuard } from './http/admin-auth.guard';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { EnvelopeInterceptor } from './http/envelope.interceptor';
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
        { provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor },
        { provide: APP_GUARD, useClass: AdminAuthGuard },
      ],
    };
  }
}

import { DynamicModule, Module, Type } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { AuditChangeQueries } from './audit-changes.queries';
import { AuditLocalStore } from './audit-local.store';
import { AuditPeers } from './audit-peers';
import { AuditQueryService } from './audit-query.service';
import { AuditRetentionJob } from './audit-retention.job';
import { SettingsModule } from '../settings/settings.module';
import { SettingsRegistry } from '../settings/settings-registry';
import { AuditRetentionSource } from './audit-retention.source';
import { AuditController, AuditInternalController } from './audit.controller';
import { AuditListResource, LocalAuditResource } from './audit.resources';
import { DEFAULT_LOCAL_AUDIT_LIMITS, LocalAuditLimits } from './local-audit-record';
import {
  auditMetricProviders,
  LOCAL_AUDIT_LIMITS,
  LocalAuditRecorder,
} from './local-audit.recorder';

export interface AuditModuleOptions {
  /** The cluster's other members (the composition root adapts the Raft log); none on a single node. */
  peers: Type<AuditPeers>;
  /** A cluster node answers its peers on AUDIT_LOCAL_PATH (a single node has no internal routes). */
  cluster: boolean;
  limits?: LocalAuditLimits;
}

/**
 * The audit trail (issue 13, item 3; DESIGN 17): changes come with their origin through the log
 * (config_history columns, audit_event rows); denials, failures and membership changes are
 * recorded by the node that saw them (LocalAuditRecorder, fed by the Fastify hooks of
 * audit-hooks.ts on the node and its read workers) and merged at query time.
 */
@Module({})
export class AuditModule {
  static forRoot(options: AuditModuleOptions): DynamicModule {
    return {
      module: AuditModule,
      imports: [StateModule, SettingsModule],
      controllers: [AuditController, ...(options.cluster ? [AuditInternalController] : [])],
      providers: [
        ...auditMetricProviders,
        { provide: LOCAL_AUDIT_LIMITS, useValue: options.limits ?? DEFAULT_LOCAL_AUDIT_LIMITS },
        { provide: AuditPeers, useClass: options.peers },
        {
          // `_system` `audit`, read on every run: a change applies without a restart.
          provide: AuditRetentionSource,
          inject: [SettingsRegistry],
          useFactory: (settings: SettingsRegistry): AuditRetentionSource => ({
            current: () => settings.get('audit'),
          }),
        },
        AuditLocalStore,
        AuditChangeQueries,
        LocalAuditRecorder,
        AuditQueryService,
        AuditRetentionJob,
        AuditListResource,
        LocalAuditResource,
      ],
      exports: [LocalAuditRecorder, AuditRetentionSource],
    };
  }
}

import { Module, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { StateModule } from '../state/state.module';
import { StateService } from '../state/state.service';
import { StateView } from '../state/state-view';
import { SettingsController } from './settings.controller';
import { cacheRoutesSetting } from './cache-routes-setting';
import { SettingsRegistry } from './settings-registry';
import { ListSettingsResource } from './settings.resources';
import { SystemBootstrap } from './system-bootstrap';
import { AUDIT_SETTING, AUTH_SETTING } from './system-settings';
import { SystemWriteGuard } from './system-write-guard';

/**
 * `_system`, the typed settings service (DESIGN 15). Other modules import this one, inject
 * SettingsRegistry, register their keys in their constructor or onModuleInit (the bootstrap
 * proposes in onApplicationBootstrap, after them) and read them with `get`.
 */
@Module({
  imports: [StateModule],
  controllers: [SettingsController],
  providers: [
    {
      provide: SettingsRegistry,
      inject: [StateView, APP_CONFIG],
      useFactory: (view: StateView, config: AppConfig) => {
        const registry = new SettingsRegistry(view);
        // Owned by audit/ and auth/ (issue 13 items 2-3); registered here until they exist.
        registry.register('audit', AUDIT_SETTING);
        registry.register('auth', AUTH_SETTING);
        // Owned by cache/ (issue 14 item 2); REDIS_URL seeds it at the first start only.
        registry.register('cache_routes', cacheRoutesSetting(config.redisUrl));
        return registry;
      },
    },
    ListSettingsResource,
    SystemBootstrap,
  ],
  exports: [SettingsRegistry],
})
export class SettingsModule implements OnModuleInit {
  constructor(
    private readonly registry: SettingsRegistry,
    private readonly state: StateService,
  ) {}

  onModuleInit(): void {
    const guard = new SystemWriteGuard(this.registry, () => this.state.reader);
    this.state.addProposalCheck((command) => guard.check(command));
  }
}

import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { VersionModule } from '../version/version.module';
import { AdminConfigController } from './admin-config.controller';
import {
  BatchGetConfigResource,
  GetConfigResource,
  NamespaceConfigsResource,
} from './config-read.resources';
import {
  BatchWriteResource,
  CreateConfigResource,
  DeleteConfigResource,
  UpdateConfigResource,
} from './config-write.resources';
import { ConfigController } from './config.controller';
import { ListConfigResource } from './list-config.resource';

@Module({
  imports: [StateModule, VersionModule],
  controllers: [ConfigController, AdminConfigController],
  providers: [
    GetConfigResource,
    BatchGetConfigResource,
    NamespaceConfigsResource,
    CreateConfigResource,
    UpdateConfigResource,
    DeleteConfigResource,
    BatchWriteResource,
    ListConfigResource,
  ],
})
export class ConfigModule {}

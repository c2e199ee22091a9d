import { Module } from '@nestjs/common';
import { SettingsModule } from '../settings/settings.module';
import { StateModule } from '../state/state.module';
import { AdminTokenBootstrap } from './admin-token-bootstrap';
import { TokensController } from './tokens.controller';
import {
  CreateTokenResource,
  ListTokensResource,
  RevokeTokenResource,
  RotateTokenResource,
} from './tokens.resources';

/** Tokens and roles (DESIGN 21): the admin API and the first admin token. */
@Module({
  imports: [StateModule, SettingsModule],
  controllers: [TokensController],
  providers: [
    CreateTokenResource,
    ListTokensResource,
    RevokeTokenResource,
    RotateTokenResource,
    AdminTokenBootstrap,
  ],
})
export class AuthModule {}

import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx, RequestContext } from '../http/request-context';
import { ApiEnvelope, ApiErrors } from '../http/swagger';
import { ListSettingsResource } from './settings.resources';
import { SettingsView } from './settings.dto';

/**
 * The `_system` settings (DESIGN 15), as a view: they are changed through the ordinary config
 * API (`PUT /api/v1/admin/config` with `namespace: _system`), each value checked by its schema.
 */
@ApiTags('admin: settings')
@ApiBearerAuth()
@Controller('api/v1/admin/settings')
export class SettingsController {
  constructor(private readonly listSettings: ListSettingsResource) {}

  @Get()
  @ApiOperation({
    summary: 'Every `_system` setting with its JSON Schema, applied value, version and default',
    description:
      'Change a setting with PUT /api/v1/admin/config {namespace: "_system", key, value}: a value ' +
      'that does not match the schema is refused with 40002 (ajv errors in error.details) and never proposed.',
  })
  @ApiEnvelope(SettingsView)
  @ApiErrors(40101, 40301)
  list(@Ctx() context: RequestContext) {
    return this.listSettings.request({}, context);
  }
}

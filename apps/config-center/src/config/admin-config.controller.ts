import { Body, Controller, HttpCode, Delete, Get, Post, Put, Query } from '@nestjs/common';
import { fromQueryString } from '@cc/resource';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ResponseMessage } from '../http/response-message.decorator';
import { ApiEnvelope, ApiErrors, ApiWriteHeaders } from '../http/swagger';
import { Ctx, RequestContext } from '../http/request-context';
import {
  CleanupVersionsResource,
  ConfigHistoryResource,
  KeepVersionResource,
  RollbackConfigResource,
} from '../version/version.resources';
import { ConfigPageQuery, KeepVersionBody, RollbackBody } from '../version/version.dto';
import {
  BatchWriteResource,
  CreateConfigResource,
  DeleteConfigResource,
  UpdateConfigResource,
} from './config-write.resources';
import { ListConfigResource } from './list-config.resource';
import {
  BatchWriteBody,
  ConfigWriteResult,
  CreateConfigBody,
  DeleteConfigQuery,
  ListConfigQuery,
  UpdateConfigBody,
} from './config.dto';

/** Admin config management (spec 3.8.4) plus batch writes and version retention. */
@ApiTags('admin: config')
@ApiBearerAuth()
@Controller('api/v1/admin/config')
export class AdminConfigController {
  constructor(
    private readonly createConfig: CreateConfigResource,
    private readonly updateConfig: UpdateConfigResource,
    private readonly deleteConfig: DeleteConfigResource,
    private readonly batchWrite: BatchWriteResource,
    private readonly listConfig: ListConfigResource,
    private readonly history: ConfigHistoryResource,
    private readonly rollbackConfig: RollbackConfigResource,
    private readonly keepVersion: KeepVersionResource,
    private readonly cleanup: CleanupVersionsResource,
  ) {}

  @Post()
  @HttpCode(200)
  @ResponseMessage('config created')
  @ApiOperation({ summary: 'Create a config (version 1, or the next version after a delete)' })
  @ApiWriteHeaders()
  @ApiEnvelope(ConfigWriteResult)
  @ApiErrors(40001, 40002, 40101, 40301, 40402, 40901, 40902, 50002, 50003, 42201)
  create(@Body() body: CreateConfigBody, @Ctx() context: RequestContext) {
    return this.createConfig.request(body, context);
  }

  @Put()
  @ResponseMessage('config updated')
  @ApiOperation({ summary: 'Update a config; expected_version makes it a compare-and-set' })
  @ApiWriteHeaders()
  @ApiEnvelope(ConfigWriteResult)
  @ApiErrors(40001, 40002, 40101, 40301, 40402, 40403, 40901, 50002, 50003, 42201)
  update(@Body() body: UpdateConfigBody, @Ctx() context: RequestContext) {
    return this.updateConfig.request(body, context);
  }

  @Delete()
  @ResponseMessage('config deleted')
  @ApiOperation({ summary: 'Delete a config (history kept; re-creating continues its versions)' })
  @ApiWriteHeaders()
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40301, 40402, 40403, 40901, 50002, 50003, 42201)
  remove(@Query() query: DeleteConfigQuery, @Body() body: unknown, @Ctx() context: RequestContext) {
    const fromBody = typeof body === 'object' && body !== null ? body : {};
    return this.deleteConfig.request(fromQueryString({ ...fromBody, ...query }), context);
  }

  @Post('batch')
  @HttpCode(200)
  @ResponseMessage('batch applied')
  @ApiOperation({
    summary: 'Apply several creates/updates/upserts/deletes atomically: all or none',
  })
  @ApiWriteHeaders()
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40301, 40402, 40403, 40901, 40902, 50002, 50003, 42201)
  batch(@Body() body: BatchWriteBody, @Ctx() context: RequestContext) {
    return this.batchWrite.request(body, context);
  }

  @Get('list')
  @ApiOperation({ summary: 'List configs, filtered by namespace and a key substring, paged' })
  @ApiEnvelope()
  @ApiErrors(40002, 40101, 50301)
  list(@Query() query: ListConfigQuery, @Ctx() context: RequestContext) {
    return this.listConfig.request(fromQueryString(query), context);
  }

  @Get('history')
  @ApiOperation({ summary: 'Change history of a key, newest first' })
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40301, 40402, 40403, 50301)
  listHistory(@Query() query: ConfigPageQuery, @Ctx() context: RequestContext) {
    return this.history.request(fromQueryString(query), context);
  }

  @Post('rollback')
  @HttpCode(200)
  @ResponseMessage('config rolled back')
  @ApiOperation({ summary: 'Create a new version whose value equals target_version' })
  @ApiWriteHeaders()
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40301, 40402, 40403, 40901, 50002, 50003, 42201)
  rollback(@Body() body: RollbackBody, @Ctx() context: RequestContext) {
    return this.rollbackConfig.request(body, context);
  }

  @Put('version/keep')
  @ApiOperation({ summary: 'Mark (or unmark) a version to survive retention cleanup' })
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40402, 40403, 42201)
  keep(@Body() body: KeepVersionBody, @Ctx() context: RequestContext) {
    return this.keepVersion.request(body, context);
  }

  @Post('versions/cleanup')
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply the retention policy now (it also runs on a schedule)' })
  @ApiEnvelope()
  @ApiErrors(40101, 50002, 50003)
  runCleanup(@Ctx() context: RequestContext) {
    return this.cleanup.request({}, context);
  }
}

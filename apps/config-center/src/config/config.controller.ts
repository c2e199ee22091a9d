import { Body, Controller, HttpCode, Get, Param, Post, Query } from '@nestjs/common';
import { fromQueryString } from '@cc/resource';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ApiErrors } from '../http/swagger';
import { Ctx, RequestContext } from '../http/request-context';
import { ConfigDiffResource, ConfigVersionsResource } from '../version/version.resources';
import {
  BatchGetConfigResource,
  GetConfigResource,
  NamespaceConfigsResource,
} from './config-read.resources';
import { BatchGetBody, ConfigView, GetConfigQuery } from './config.dto';
import { DiffQuery, VersionsQuery } from '../version/version.dto';

/** Client reads (spec 3.8.3) and version reads (3.8.5). Served from the node's applied view. */
@ApiTags('client')
@Controller('api/v1/config')
export class ConfigController {
  constructor(
    private readonly getConfig: GetConfigResource,
    private readonly batchGet: BatchGetConfigResource,
    private readonly namespaceConfigs: NamespaceConfigsResource,
    private readonly versions: ConfigVersionsResource,
    private readonly diff: ConfigDiffResource,
  ) {}

  @Get('get')
  @ApiOperation({ summary: 'Get one config: latest, or a given version' })
  @ApiEnvelope(ConfigView)
  @ApiErrors(40001, 40002, 40301, 40402, 40403)
  get(@Query() query: GetConfigQuery, @Ctx() context: RequestContext) {
    return this.getConfig.request(fromQueryString(query), context);
  }

  @Post('batch-get')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Get several keys of one namespace; absent keys are listed in `missing`',
  })
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40301, 40402)
  batch(@Body() body: BatchGetBody, @Ctx() context: RequestContext) {
    return this.batchGet.request(body, context);
  }

  @Get('namespace/:namespace')
  @ApiOperation({
    summary: 'Every live config of a namespace; `version` is the namespace revision',
  })
  @ApiEnvelope()
  @ApiErrors(40002, 40301, 40402)
  namespace(
    @Param('namespace') namespace: string,
    @Query('consistency') consistency: string | undefined,
    @Ctx() context: RequestContext,
  ) {
    return this.namespaceConfigs.request({ namespace, consistency }, context);
  }

  @Get('versions')
  @ApiOperation({ summary: 'Kept versions of a key, newest first' })
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40301, 40402, 40403)
  listVersions(@Query() query: VersionsQuery, @Ctx() context: RequestContext) {
    return this.versions.request(fromQueryString(query), context);
  }

  @Get('diff')
  @ApiOperation({ summary: 'Path-level differences between two versions of a key' })
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40301, 40402, 40403)
  compare(@Query() query: DiffQuery, @Ctx() context: RequestContext) {
    return this.diff.request(fromQueryString(query), context);
  }
}

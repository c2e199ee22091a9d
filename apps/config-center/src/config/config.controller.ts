import {
  Body,
  Controller,
  HttpCode,
  Get,
  Inject,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { fromQueryString } from '@cc/resource';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { sharedAnswer } from '../http/shared-answer';
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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
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
  @ApiErrors(40001, 40002, 40301, 40402, 50301)
  batch(@Body() body: BatchGetBody, @Ctx() context: RequestContext) {
    return this.batchGet.request(body, context);
  }

  @Get('namespace/:namespace')
  @ApiOperation({
    summary: 'Every live config of a namespace; `version` is the namespace revision',
  })
  @ApiEnvelope()
  @ApiErrors(40002, 40301, 40402)
  async namespace(
    @Param('namespace') namespace: string,
    @Query('consistency') consistency: string | undefined,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const data = await this.namespaceConfigs.request({ namespace, consistency }, context);
    return sharedAnswer(request, reply, data, this.config.answerStallTimeoutMs);
  }

  @Get('versions')
  @ApiOperation({ summary: 'Kept versions of a key, newest first' })
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40301, 40402, 40403, 50301)
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

import {
  Body,
  Controller,
  HttpCode,
  Delete,
  Get,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { fromQueryString, queryInteger } from '@cc/resource';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { ResponseMessage } from '../http/response-message.decorator';
import { sharedAnswer } from '../http/shared-answer';
import { ApiEnvelope, ApiErrors, ApiWriteHeaders } from '../http/swagger';
import { Ctx, RequestContext } from '../http/request-context';
import {
  CreateNamespaceBody,
  ExportQuery,
  ImportBody,
  ListNamespaceQuery,
  NamespaceView,
  UpdateNamespaceBody,
} from './namespace.dto';
import {
  CreateNamespaceResource,
  DeleteNamespaceResource,
  ExportNamespaceResource,
  ImportNamespaceResource,
  ListNamespaceResource,
  UpdateNamespaceResource,
} from './namespace.resources';

/** Namespace management (spec 3.8.6) plus export/import as JSON. */
@ApiTags('admin: namespace')
@ApiBearerAuth()
@Controller('api/v1/admin/namespace')
export class NamespaceController {
  constructor(
    private readonly createNamespace: CreateNamespaceResource,
    private readonly updateNamespace: UpdateNamespaceResource,
    private readonly deleteNamespace: DeleteNamespaceResource,
    private readonly listNamespace: ListNamespaceResource,
    private readonly exportNamespace: ExportNamespaceResource,
    private readonly importNamespace: ImportNamespaceResource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ResponseMessage('namespace created')
  @ApiOperation({ summary: 'Create a namespace' })
  @ApiWriteHeaders()
  @ApiEnvelope(NamespaceView)
  @ApiErrors(40001, 40002, 40101, 40301, 40901, 50002, 50003, 42201)
  create(@Body() body: CreateNamespaceBody, @Ctx() context: RequestContext) {
    return this.createNamespace.request(body, context);
  }

  @Get('list')
  @ApiOperation({ summary: 'List namespaces, filtered by a name substring and status, paged' })
  @ApiEnvelope()
  @ApiErrors(40002, 40101)
  list(@Query() query: ListNamespaceQuery, @Ctx() context: RequestContext) {
    return this.listNamespace.request(fromQueryString(query), context);
  }

  @Get('export')
  @ApiOperation({ summary: 'Export the live configs of a namespace as JSON (the import format)' })
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40402)
  async export(
    @Query() query: ExportQuery,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const data = await this.exportNamespace.request(fromQueryString(query), context);
    return sharedAnswer(request, reply, data, this.config.answerStallTimeoutMs);
  }

  @Post('import')
  @HttpCode(200)
  @ResponseMessage('namespace imported')
  @ApiOperation({
    summary: 'Import configs atomically (merge, or replace = also delete absent keys)',
  })
  @ApiWriteHeaders()
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40301, 40901, 50002, 50003, 42201)
  import(@Body() body: ImportBody, @Ctx() context: RequestContext) {
    return this.importNamespace.request(body, context);
  }

  @Put(':id')
  @ResponseMessage('namespace updated')
  @ApiOperation({ summary: 'Update description or status (0 disables reads and writes)' })
  @ApiWriteHeaders()
  @ApiEnvelope(NamespaceView)
  @ApiErrors(40001, 40002, 40101, 40301, 40402, 50002, 50003, 42201)
  update(
    @Param('id') id: string,
    @Body() body: UpdateNamespaceBody,
    @Ctx() context: RequestContext,
  ) {
    const fields = typeof body === 'object' && body !== null ? body : {};
    return this.updateNamespace.request({ ...fields, id: queryInteger(id) }, context);
  }

  @Delete(':id')
  @ResponseMessage('namespace deleted')
  @ApiOperation({ summary: 'Delete an empty namespace' })
  @ApiWriteHeaders()
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40301, 40402, 40901, 50002, 50003, 42201)
  remove(@Param('id') id: string, @Ctx() context: RequestContext) {
    return this.deleteNamespace.request(fromQueryString({ id }), context);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { fromQueryString, queryInteger } from '@cc/resource';
import { PageQuery } from '../common/validation';
import { Ctx, RequestContext } from '../http/request-context';
import { ResponseMessage } from '../http/response-message.decorator';
import { ApiEnvelope, ApiErrors, ApiWriteHeaders } from '../http/swagger';
import { CreateTokenBody, RotateTokenBody } from './tokens.dto';
import {
  CreateTokenResource,
  ListTokensResource,
  RevokeTokenResource,
  RotateTokenResource,
} from './tokens.resources';

/** Access tokens and their roles (DESIGN 21): admins only. The secret is answered once. */
@ApiTags('admin: tokens')
@ApiBearerAuth()
@Controller('api/v1/admin/tokens')
export class TokensController {
  constructor(
    private readonly createToken: CreateTokenResource,
    private readonly listTokens: ListTokensResource,
    private readonly revokeToken: RevokeTokenResource,
    private readonly rotateToken: RotateTokenResource,
  ) {}

  @Post()
  @HttpCode(200)
  @ResponseMessage('token created; its secret is shown only now')
  @ApiOperation({ summary: 'Create a token (admin | writer | reader, for namespaces or *)' })
  @ApiWriteHeaders()
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40301, 40901, 50002, 50003, 42201)
  create(@Body() body: CreateTokenBody, @Ctx() context: RequestContext) {
    return this.createToken.request(body, context);
  }

  @Get()
  @ApiOperation({ summary: 'List tokens (never their secrets), paged' })
  @ApiEnvelope()
  @ApiErrors(40002, 40101, 40301)
  list(@Query() query: PageQuery, @Ctx() context: RequestContext) {
    return this.listTokens.request(fromQueryString(query), context);
  }

  @Delete(':id')
  @ResponseMessage('token revoked')
  @ApiOperation({ summary: 'Revoke a token: refused on every node from the next request' })
  @ApiWriteHeaders()
  @ApiEnvelope()
  @ApiErrors(40001, 40101, 40301, 40401, 50002, 50003, 42201)
  revoke(@Param('id') id: string, @Ctx() context: RequestContext) {
    return this.revokeToken.request({ id: queryInteger(id) }, context);
  }

  @Post(':id/rotate')
  @HttpCode(200)
  @ResponseMessage('token rotated; the new secret is shown only now')
  @ApiOperation({
    summary: 'Issue a new secret; the old one stays valid for grace_seconds (default 3600)',
  })
  @ApiWriteHeaders()
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40301, 40401, 40901, 50002, 50003, 42201)
  rotate(@Param('id') id: string, @Body() body: RotateTokenBody, @Ctx() context: RequestContext) {
    const fields = typeof body === 'object' && body !== null ? body : {};
    return this.rotateToken.request({ ...fields, id: queryInteger(id) }, context);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Resource } from '@cc/resource';
import { ApiEnvelope, ApiErrors } from '../../http/swagger';
import { Ctx, RequestContext } from '../../http/request-context';
import { AddMemberBody, TransferLeaderBody } from './cluster.dto';
import { ClusterService } from './cluster.service';

class AddMemberResource extends Resource<AddMemberBody, unknown> {
  protected readonly inputSchema = AddMemberBody;
  constructor(private readonly cluster: ClusterService) {
    super();
  }
  protected perform(input: AddMemberBody) {
    return this.cluster.addMember(input.id, input.url);
  }
}

class TransferLeaderResource extends Resource<TransferLeaderBody, unknown> {
  protected readonly inputSchema = TransferLeaderBody;
  constructor(private readonly cluster: ClusterService) {
    super();
  }
  protected perform(input: TransferLeaderBody) {
    return this.cluster.transferLeadership(input.to);
  }
}

/** Operators' view of the Raft cluster: members, membership changes, leadership transfer. */
@ApiTags('admin: cluster')
@ApiBearerAuth()
@Controller('api/v1/admin/cluster')
export class ClusterController {
  private readonly addMemberResource: AddMemberResource;
  private readonly transferResource: TransferLeaderResource;

  constructor(private readonly cluster: ClusterService) {
    this.addMemberResource = new AddMemberResource(cluster);
    this.transferResource = new TransferLeaderResource(cluster);
  }

  @Get('members')
  @ApiOperation({ summary: 'Voters, the leader, and which peers this node reaches' })
  @ApiEnvelope()
  @ApiErrors(40101, 50301)
  members() {
    return this.cluster.members();
  }

  @Post('members')
  @HttpCode(200)
  @ApiOperation({ summary: 'Add a voter (on the leader; one change at a time)' })
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40901, 50301, 50302)
  add(@Body() body: AddMemberBody, @Ctx() context: RequestContext) {
    return this.addMemberResource.request(body, context);
  }

  @Delete('members/:id')
  @ApiOperation({ summary: 'Remove a voter (on the leader)' })
  @ApiEnvelope()
  @ApiErrors(40101, 40901, 50301, 50302)
  remove(@Param('id') id: string) {
    return this.cluster.removeMember(id);
  }

  @Post('transfer-leader')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Hand leadership to an up-to-date voter (on the leader)',
    description:
      'Answers once the named voter leads (`leader`, `took_ms`); 50301 when it did not within two election timeouts (target down or behind).',
  })
  @ApiEnvelope()
  @ApiErrors(40001, 40002, 40101, 40901, 50301, 50302)
  transfer(@Body() body: TransferLeaderBody, @Ctx() context: RequestContext) {
    return this.transferResource.request(body, context);
  }
}

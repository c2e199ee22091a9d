import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { ServiceUnavailable } from '@cc/common';
import { callContextFrom } from '@cc/resource';
import { StateService } from '../state/state.service';
import { ClusterSecretCheck } from './cluster-secret.guard';
import { ForwardedProposal } from './forward-proposal.resource';
import { decodeMessages } from './message-codec';
import { RAFT_FROM_HEADER, RAFT_FROM_URL_HEADER } from './raft-transport';

/** Node-to-node RPC: Raft messages and forwarded proposals. Not charged, not audited (DESIGN 17). */
@ApiExcludeController()
@Controller('internal/raft')
export class RaftInternalController {
  constructor(
    private readonly state: StateService,
    private readonly secret: ClusterSecretCheck,
  ) {}

  @Post('messages')
  @HttpCode(200)
  messages(@Req() request: FastifyRequest, @Body() body: unknown) {
    this.secret.verify(request);
    const raft = this.state.raft;
    if (!raft) throw new ServiceUnavailable('this node is not part of a cluster');
    const from = request.headers[RAFT_FROM_HEADER];
    const fromUrl = request.headers[RAFT_FROM_URL_HEADER];
    if (typeof from === 'string' && typeof fromUrl === 'string')
      raft.learnPeer({ id: from, url: fromUrl });
    raft.step(decodeMessages(body));
    return { accepted: true };
  }

  @Post('propose')
  @HttpCode(200)
  propose(@Req() request: FastifyRequest, @Body() body: ForwardedProposal) {
    this.secret.verify(request);
    const context = callContextFrom(request.headers, request.id, request.nodeId);
    return this.state.propose(body.command, context);
  }
}

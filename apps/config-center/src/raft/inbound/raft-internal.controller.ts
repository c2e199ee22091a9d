import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { BadParameter } from '@cc/common';
import { callContextFrom } from '@cc/resource';
import { isWellFormedCommand } from '../../state/commands';
import { CommandLog } from '../../state/command-log';
import { ForwardedProposal } from '../transport/forward-proposal.resource';

/**
 * Node-to-node RPC: forwarded proposals (Raft messages: raft-messages.route.ts). Not charged, not
 * audited (DESIGN 17). Secret, body limit and timeout: internal-routes.guard.ts.
 */
@ApiExcludeController()
@Controller('internal/raft')
export class RaftInternalController {
  constructor(private readonly log: CommandLog) {}

  @Post('propose')
  @HttpCode(200)
  propose(@Req() request: FastifyRequest, @Body() body: ForwardedProposal) {
    if (!isWellFormedCommand(body?.command))
      throw new BadParameter('forwarded command is malformed');
    const context = callContextFrom(request.headers, request.id, request.nodeId);
    return this.log.propose(body.command, context);
  }
}

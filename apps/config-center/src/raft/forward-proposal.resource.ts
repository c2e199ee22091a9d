import { IsDefined, IsObject } from 'class-validator';
import { ApiResource, ApiTarget, CallContext } from '@cc/resource';
import { Command, CommandOutcome } from '../state/commands';
import { CLUSTER_SECRET_HEADER } from './raft-wire';

export const PROPOSE_PATH = '/internal/raft/propose';

export class ForwardedProposal {
  @IsDefined()
  @IsObject()
  command!: Command;

  /** Set by the proposer; not part of the wire body's validation. */
  leaderUrl?: string;
}

/**
 * A follower's write, handed to the leader (DESIGN 17: charged once, at the edge). Built on
 * ApiResource, so a forward that reaches a node which forwards again (an election in between)
 * is refused by the recursion guard instead of bouncing between nodes.
 */
export class ForwardProposalResource extends ApiResource<ForwardedProposal, CommandOutcome> {
  protected readonly inputSchema = ForwardedProposal;
  protected override validateInput = false;

  constructor(
    private readonly secret: string,
    timeoutMs: number,
  ) {
    super({ timeoutMs, maxDepth: 3 });
  }

  protected target(input: ForwardedProposal, _context: CallContext): ApiTarget {
    return {
      baseUrl: input.leaderUrl ?? '',
      method: 'POST',
      path: PROPOSE_PATH,
      body: { command: input.command },
      headers: { [CLUSTER_SECRET_HEADER]: this.secret },
    };
  }
}

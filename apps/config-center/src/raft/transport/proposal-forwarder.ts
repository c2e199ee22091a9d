import { Inject, Injectable } from '@nestjs/common';
import { CallContext } from '@cc/resource';
import { APP_CONFIG, AppConfig } from '../../env/app-config';
import { Command, CommandOutcome } from '../../state/commands';
import { ForwardProposalResource } from './forward-proposal.resource';

/** The port a follower hands a write to its leader through. */
export abstract class ProposalForwarder {
  abstract forward(
    command: Command,
    leaderUrl: string,
    context: CallContext,
  ): Promise<CommandOutcome>;
}

/** Over HTTP, to the leader's /internal/raft/propose. */
@Injectable()
export class HttpProposalForwarder extends ProposalForwarder {
  private readonly resource: ForwardProposalResource;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    // The leader answers 50003 "outcome unknown" at proposalTimeoutMs; wait a little longer for that answer.
    this.resource = new ForwardProposalResource(
      config.cluster.secret ?? '',
      config.proposalTimeoutMs + 1000,
    );
  }

  forward(command: Command, leaderUrl: string, context: CallContext): Promise<CommandOutcome> {
    return this.resource.request({ command, leaderUrl }, context);
  }
}

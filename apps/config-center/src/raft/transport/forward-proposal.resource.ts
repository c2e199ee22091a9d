import { IsDefined, IsObject } from 'class-validator';
import { AppError, OutcomeUnknown, ServiceUnavailable } from '@cc/common';
import { ApiResource, ApiTarget, CallContext } from '@cc/resource';
import { Command, CommandOutcome } from '../../state/commands';
import { CLUSTER_SECRET_HEADER, RAFT_PROPOSE_PATH } from './raft-wire';

export const PROPOSE_PATH = RAFT_PROPOSE_PATH;

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

  /**
   * A forward the leader may have received is not a failure: it can still commit (the leader
   * was paused, or the link dropped after the request left). So it is answered like a proposal
   * that timed out on the leader itself, 50003 with outcome "unknown", and a client retries
   * with its request id instead of assuming nothing happened. Only a refused connection proves
   * the leader never saw the write.
   */
  protected override unreachable(label: string, error: unknown): AppError {
    if (connectionRefused(error)) {
      const refused = super.unreachable(label, error);
      return new ServiceUnavailable(refused.message, {
        ...(refused.details as object),
        outcome: 'not_applied',
      });
    }
    return new OutcomeUnknown(
      `the write was forwarded to the leader (${label}) and no answer came in time; it may still be applied`,
    );
  }

  /**
   * A 5xx that is not our nodes' answer (a gateway in between, which may have passed the write
   * on before it failed: Envoy answers 503 after a reset upstream).
   */
  protected override foreignFailure(status: number, label: string, failure: AppError): AppError {
    if (status < 500) return failure;
    return new OutcomeUnknown(
      `the write was forwarded to the leader (${label}) through a gateway that answered ${status}; it may still be applied`,
    );
  }
}

/** undici's "fetch failed" carries the socket error as its cause (checked by shape: realms). */
function connectionRefused(error: unknown): boolean {
  const cause =
    typeof error === 'object' && error !== null ? Reflect.get(error, 'cause') : undefined;
  return (
    typeof cause === 'object' && cause !== null && Reflect.get(cause, 'code') === 'ECONNREFUSED'
  );
}

import { SubCommand } from 'nest-commander';
import { ApiClient } from '../api/api-client';
import { CliFailure, ExitCode } from '../core/cli-errors';
import { table } from '../output/table';
import { ApiCommand, CommandOutput } from './api-command';

interface Member {
  id: string;
  url: string | null;
  leader: boolean;
  reachable: boolean;
}

interface Members {
  leader: string | null;
  term: number;
  members: Member[];
}

/** One node's turn in a rolling restart. */
export interface RestartStep {
  step: number;
  id: string;
  role: 'follower' | 'leader';
  url: string | null;
  /** 200 once the restarted node has caught up (DESIGN 16); 503 while it starts or stops. */
  ready_url: string | null;
}

/**
 * Followers first (by id), the leader last: each follower's stop leaves a quorum with the same
 * leader, and the leader stops once, handing over to a member already restarted and caught up.
 */
export function restartOrder(members: Members): RestartStep[] {
  const followers = members.members
    .filter((member) => member.id !== members.leader)
    .sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  const leader = members.members.filter((member) => member.id === members.leader);
  return [...followers, ...leader].map((member, i) => ({
    step: i + 1,
    id: member.id,
    role: member.id === members.leader ? 'leader' : 'follower',
    url: member.url,
    ready_url: member.url ? `${member.url.replace(/\/+$/, '')}/api/v1/health/ready` : null,
  }));
}

function instructions(steps: RestartStep[]): string {
  const successor = steps.find((step) => step.role === 'follower')?.id ?? '<id>';
  return [
    'For each node, in this order, one at a time:',
    '  1. stop it with SIGTERM (systemctl restart config-center@<id>, docker compose restart <id>,',
    '     kill <pid>): it exits within 3 s; a leader hands its leadership over first',
    `     (or move it before: ccctl cluster transfer-leader ${successor});`,
    '  2. start it again (systemd and docker do, with the commands above);',
    "  3. wait until  curl -s -o /dev/null -w '%{http_code}' <READY URL>  prints 200 (caught up);",
    '  4. check  ccctl cluster members : one leader, every member reachable; then the next node.',
  ].join('\n');
}

@SubCommand({
  name: 'restart-plan',
  description: 'the order of a rolling restart (followers, then the leader) and the checks between',
})
export class ClusterRestartPlanCommand extends ApiCommand {
  protected async execute(
    _args: string[],
    _options: object,
    api: ApiClient,
  ): Promise<CommandOutput> {
    const members = await api.get<Members>('/api/v1/admin/cluster/members');
    if (!members.leader)
      throw new CliFailure(
        ExitCode.API_ERROR,
        'no leader right now: wait for one (ccctl cluster members) before a rolling restart',
      );
    const steps = restartOrder(members);
    const unreachable = members.members.filter((member) => !member.reachable && !member.leader);
    return {
      data: steps,
      notice: unreachable.length
        ? `warning: ${unreachable.map((member) => member.id).join(', ')} not reachable from the node asked: bring it back before restarting another`
        : undefined,
      human: () =>
        `Rolling restart, leader ${members.leader} (term ${members.term}): followers first, the leader last.\n` +
        table(steps, [
          { header: 'STEP', value: (step) => step.step },
          { header: 'ID', value: (step) => step.id },
          { header: 'ROLE', value: (step) => step.role },
          {
            header: 'READY URL',
            value: (step) => step.ready_url ?? '(its own /api/v1/health/ready)',
          },
        ]) +
        `\n${instructions(steps)}`,
    };
  }
}

import { Command, SubCommand } from 'nest-commander';
import { ApiClient } from '../api/api-client';
import { jsonBody } from '../core/arguments';
import { fields, table } from '../output/table';
import { ApiCommand, CommandOutput, GroupCommand } from './api-command';
import { ClusterRestartPlanCommand } from './cluster-restart-plan.command';

const CLUSTER = '/api/v1/admin/cluster';

interface Member {
  id: string;
  url: string | null;
  self: boolean;
  leader: boolean;
  reachable: boolean;
  stream: unknown;
}

interface Members {
  leader: string | null;
  term: number;
  members: Member[];
}

const changeOutput = (data: unknown, summary: string, notice?: string): CommandOutput => ({
  data,
  human: () => `${summary}\n${fields(Object.entries(data ?? {}))}`,
  notice,
});

/**
 * Membership changes are made by the leader: asked of a follower (50302 naming the leader), the
 * change is sent once more to the leader, as etcdctl's member commands work from any member.
 */
async function atLeader(
  api: ApiClient,
  change: (api: ApiClient) => Promise<unknown>,
): Promise<{ data: unknown; notice?: string }> {
  try {
    return { data: await change(api) };
  } catch (error) {
    const redirect = api.atLeaderNamedBy(error);
    if (!redirect) throw error;
    return {
      data: await change(redirect.api),
      notice: `note: sent to the leader ${redirect.leader}`,
    };
  }
}

@SubCommand({ name: 'members', description: 'voters, the leader, and which peers are reachable' })
export class ClusterMembersCommand extends ApiCommand {
  protected async execute(_args: string[], _options: object, api: ApiClient) {
    const data = await api.get<Members>(`${CLUSTER}/members`);
    return {
      data,
      human: () =>
        `leader: ${data.leader ?? '(none)'}  term: ${data.term}\n` +
        table(data.members, [
          { header: 'ID', value: (member) => member.id },
          { header: 'URL', value: (member) => member.url },
          { header: 'LEADER', value: (member) => (member.leader ? 'yes' : '') },
          { header: 'SELF', value: (member) => (member.self ? 'yes' : '') },
          { header: 'REACHABLE', value: (member) => (member.reachable ? 'yes' : 'no') },
          { header: 'STREAM', value: (member) => member.stream },
        ]),
    };
  }
}

@SubCommand({
  name: 'add',
  arguments: '<id> <url>',
  description: 'add a voter (start it with RAFT_JOIN=true first)',
})
export class ClusterAddCommand extends ApiCommand {
  protected async execute([id, url]: string[], _options: object, api: ApiClient) {
    const { data, notice } = await atLeader(api, (to) =>
      to.send('POST', `${CLUSTER}/members`, jsonBody({ id, url })),
    );
    return changeOutput(data, `added ${id} (${url})`, notice);
  }
}

@SubCommand({ name: 'remove', arguments: '<id>', description: 'remove a voter' })
export class ClusterRemoveCommand extends ApiCommand {
  protected async execute([id]: string[], _options: object, api: ApiClient) {
    const { data, notice } = await atLeader(api, (to) =>
      to.delete(`${CLUSTER}/members/${encodeURIComponent(id)}`),
    );
    return changeOutput(data, `removed ${id}`, notice);
  }
}

@SubCommand({
  name: 'transfer-leader',
  arguments: '<id>',
  description: 'hand leadership to an up-to-date voter; answers once it leads',
})
export class ClusterTransferLeaderCommand extends ApiCommand {
  protected async execute([id]: string[], _options: object, api: ApiClient) {
    const { data, notice } = await atLeader(api, (to) =>
      to.send('POST', `${CLUSTER}/transfer-leader`, jsonBody({ to: id })),
    );
    return changeOutput(data, `${id} leads`, notice);
  }
}

@Command({
  name: 'cluster',
  description: 'Raft membership and leadership',
  subCommands: [
    ClusterMembersCommand,
    ClusterAddCommand,
    ClusterRemoveCommand,
    ClusterTransferLeaderCommand,
    ClusterRestartPlanCommand,
  ],
})
export class ClusterCommand extends GroupCommand {
  protected readonly usage = 'ccctl cluster members|add|remove|transfer-leader|restart-plan';
}

export const clusterCommands = [
  ClusterCommand,
  ClusterMembersCommand,
  ClusterAddCommand,
  ClusterRemoveCommand,
  ClusterTransferLeaderCommand,
  ClusterRestartPlanCommand,
];

import { Command, SubCommand } from 'nest-commander';
import { ApiClient } from '../api/api-client';
import { CliFailure, ExitCode } from '../core/cli-errors';
import { fields, table } from '../output/table';
import { ApiCommand, CommandOutput, GroupCommand } from './api-command';
import { CACHE_ROUTES_PATH, CacheRoutes, editCacheRoutes, EditResult } from './cache-routes-edit';

interface NodeView {
  name: string;
  url: string;
  status: string;
  latency_ms?: number;
  error?: string;
}

interface RoutesView {
  epoch: number;
  nodes: NodeView[];
  routes: Record<string, string>;
  redis_url: { redis_url: string; in_cache_routes: boolean; note?: string } | null;
  namespace?: { namespace: string; node: string | null; epoch: number; explicit: boolean };
}

/** What an edit printed: the new setting (with --json) or one line. */
function edited(result: EditResult, line: string): CommandOutput {
  return {
    data: result,
    human: () =>
      `${line} (cache_routes version ${result.version}; routing epoch ${result.epoch} once applied)`,
  };
}

function nodeNamed(current: CacheRoutes, name: string): void {
  if (!current.nodes.some((node) => node.name === name))
    throw new CliFailure(
      ExitCode.API_ERROR,
      `no cache node ${name} (nodes: ${current.nodes.map((node) => node.name).join(', ') || 'none'})`,
    );
}

@SubCommand({
  name: 'nodes',
  description: 'the Redis nodes with their health, the explicit routes and the routing epoch',
})
export class CacheRouterNodesCommand extends ApiCommand {
  protected async execute(_args: string[], _options: object, api: ApiClient) {
    const view = await api.get<RoutesView>(CACHE_ROUTES_PATH);
    const disagreement =
      view.redis_url && !view.redis_url.in_cache_routes
        ? `warning: this node's REDIS_URL ${view.redis_url.redis_url} is not in cache_routes (cache_routes wins)`
        : undefined;
    return {
      data: view,
      notice: disagreement,
      human: () =>
        [
          `epoch ${view.epoch}`,
          table(view.nodes, [
            { header: 'NODE', value: (node) => node.name },
            { header: 'URL', value: (node) => node.url },
            { header: 'STATUS', value: (node) => node.status },
            { header: 'LATENCY_MS', value: (node) => node.latency_ms ?? node.error ?? '' },
          ]),
          Object.keys(view.routes).length === 0
            ? 'no explicit routes (every namespace by consistent hashing)'
            : table(Object.entries(view.routes), [
                { header: 'NAMESPACE', value: ([namespace]) => namespace },
                { header: 'ROUTED TO', value: ([, node]) => node },
              ]),
        ].join('\n'),
    };
  }
}

@SubCommand({
  name: 'add-node',
  arguments: '<name> <url>',
  description:
    'add a Redis node (redis://host:port[/db]); about 1/N of the hashed namespaces move to it',
})
export class CacheRouterAddNodeCommand extends ApiCommand {
  protected async execute([name, url]: string[], _options: object, api: ApiClient) {
    const result = await editCacheRoutes(api, (current) => {
      if (current.nodes.some((node) => node.name === name))
        throw new CliFailure(ExitCode.API_ERROR, `cache node ${name} exists already`);
      return { ...current, nodes: [...current.nodes, { name, url }] };
    });
    return edited(result, `added cache node ${name}`);
  }
}

@SubCommand({
  name: 'remove-node',
  arguments: '<name>',
  description: 'remove a Redis node (refused while explicit routes name it); its namespaces move',
})
export class CacheRouterRemoveNodeCommand extends ApiCommand {
  protected async execute([name]: string[], _options: object, api: ApiClient) {
    const result = await editCacheRoutes(api, (current) => {
      nodeNamed(current, name);
      const routed = Object.entries(current.routes)
        .filter(([, node]) => node === name)
        .map(([namespace]) => namespace);
      if (routed.length > 0)
        throw new CliFailure(
          ExitCode.API_ERROR,
          `cache node ${name} still has explicit routes (${routed.join(', ')}): remove or move them first`,
        );
      return { ...current, nodes: current.nodes.filter((node) => node.name !== name) };
    });
    return edited(result, `removed cache node ${name}`);
  }
}

@SubCommand({
  name: 'route',
  arguments: '<namespace>',
  description: "a namespace's node, whether routed explicitly or by hashing, and the epoch",
})
export class CacheRouterRouteCommand extends ApiCommand {
  protected async execute([namespace]: string[], _options: object, api: ApiClient) {
    const view = await api.get<RoutesView>(CACHE_ROUTES_PATH, { namespace });
    const route = view.namespace!;
    return {
      data: route,
      human: () =>
        fields([
          ['namespace', route.namespace],
          ['node', route.node ?? '(no Redis configured)'],
          ['by', route.explicit ? 'explicit route' : 'consistent hashing'],
          ['epoch', route.epoch],
        ]),
    };
  }
}

@SubCommand({
  name: 'set-route',
  arguments: '<namespace> <node>',
  description: 'route a namespace to a node (its keys move: deleted on the old shard)',
})
export class CacheRouterSetRouteCommand extends ApiCommand {
  protected async execute([namespace, node]: string[], _options: object, api: ApiClient) {
    const result = await editCacheRoutes(api, (current) => {
      nodeNamed(current, node);
      return { ...current, routes: { ...current.routes, [namespace]: node } };
    });
    return edited(result, `routed ${namespace} to ${node}`);
  }
}

@SubCommand({
  name: 'remove-route',
  arguments: '<namespace>',
  description: 'drop the explicit route of a namespace (it goes back to consistent hashing)',
})
export class CacheRouterRemoveRouteCommand extends ApiCommand {
  protected async execute([namespace]: string[], _options: object, api: ApiClient) {
    const result = await editCacheRoutes(api, (current) => {
      if (!Object.prototype.hasOwnProperty.call(current.routes, namespace))
        throw new CliFailure(ExitCode.API_ERROR, `${namespace} has no explicit route`);
      const routes = { ...current.routes };
      delete routes[namespace];
      return { ...current, routes };
    });
    return edited(result, `removed the route of ${namespace}`);
  }
}

@Command({
  name: 'cacherouter',
  description: 'Redis shards of the cache: nodes and namespace routes (_system/cache_routes)',
  subCommands: [
    CacheRouterNodesCommand,
    CacheRouterAddNodeCommand,
    CacheRouterRemoveNodeCommand,
    CacheRouterRouteCommand,
    CacheRouterSetRouteCommand,
    CacheRouterRemoveRouteCommand,
  ],
})
export class CacheRouterCommand extends GroupCommand {
  protected readonly usage =
    'ccctl cacherouter nodes|add-node|remove-node|route|set-route|remove-route';
}

export const cacheRouterCommands = [
  CacheRouterCommand,
  CacheRouterNodesCommand,
  CacheRouterAddNodeCommand,
  CacheRouterRemoveNodeCommand,
  CacheRouterRouteCommand,
  CacheRouterSetRouteCommand,
  CacheRouterRemoveRouteCommand,
];

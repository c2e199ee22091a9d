import { ApiClient } from '../api/api-client';
import { jsonBody } from '../core/arguments';
import { ApiFailure, CliFailure, ExitCode } from '../core/cli-errors';

export const CACHE_ROUTES_PATH = '/api/v1/admin/cache/routes';
const SETTINGS = '/api/v1/admin/settings';
const CONFLICT = 40901;

export interface CacheNode {
  name: string;
  url: string;
}

/** `_system/cache_routes` as the settings endpoint shows it. */
export interface CacheRoutes {
  nodes: CacheNode[];
  routes: Record<string, string>;
}

interface Setting {
  key: string;
  value: CacheRoutes;
  version: number | null;
}

export interface EditResult {
  value: CacheRoutes;
  /** The setting's version after the write. */
  version: number;
  /** The revision of the write: the routing epoch once every node applied it. */
  epoch: number;
}

/** The applied `cache_routes` and its version. */
export async function readCacheRoutes(api: ApiClient): Promise<Setting> {
  const { list } = await api.get<{ list: Setting[] }>(SETTINGS);
  const found = list.find((item) => item.key === 'cache_routes');
  if (!found)
    throw new CliFailure(ExitCode.API_ERROR, 'the server has no _system setting cache_routes');
  return found;
}

/**
 * Read-modify-write of `cache_routes`: the write carries the version it read as
 * `expected_version`, so a change made by someone else in between is refused (40901) instead of
 * being overwritten; the command then says so and changes nothing.
 */
export async function editCacheRoutes(
  api: ApiClient,
  change: (current: CacheRoutes) => CacheRoutes,
): Promise<EditResult> {
  const current = await readCacheRoutes(api);
  const value = change(structuredClone(current.value));
  try {
    const written = await api.send<{ version: number; revision: number }>(
      'PUT',
      '/api/v1/admin/config',
      jsonBody({
        namespace: '_system',
        key: 'cache_routes',
        value,
        ...(current.version === null ? {} : { expected_version: current.version }),
      }),
    );
    return { value, version: written.version, epoch: written.revision };
  } catch (error) {
    if (error instanceof ApiFailure && error.code === CONFLICT)
      throw new CliFailure(
        ExitCode.API_ERROR,
        `cache_routes changed while this command ran (it read version ${current.version}); nothing was written: run it again`,
      );
    throw error;
  }
}

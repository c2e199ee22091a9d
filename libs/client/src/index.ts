export { ConfigCenterClient } from './client';
export type { ClientOptions } from './client';
export { Watcher } from './watcher';
export type { WatchOptions } from './watcher';
export type { ChangeListener, ErrorListener, Unsubscribe, UpdateListener } from './listeners';
export type { BackoffOptions } from './server-pool';
export {
  ClientClosedError,
  ClientErrorCode,
  ConfigCenterError,
  RequestTimeoutError,
  ServersUnavailableError,
} from './errors';
export { SNAPSHOT_FORMAT_VERSION } from './snapshot-file';
export type { SnapshotFileContent } from './snapshot-file';
export type * from './types';

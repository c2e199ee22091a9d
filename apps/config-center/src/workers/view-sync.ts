import { KeyReads } from '../cache/read-counts';
import { LocalAuditRecord } from '../audit/local-audit-record';
import { ConfigRecord, NamespaceRecord, TokenRecord } from '../state/records';
import { StateView } from '../state/state-view';
import { WatchEvent } from '../watch/watch-event';
import { WorkerWatchReport } from '../watch/watch-metrics';

/** Messages between the node (cluster primary) and its read workers, over Node's IPC channel. */
export type WorkerMessage =
  | { type: 'cc:hello' }
  /** The worker's replica now shows everything up to `appliedIndex`. */
  | { type: 'cc:applied'; appliedIndex: number }
  | {
      type: 'cc:metrics';
      observations: Array<[api: string, method: string, status: number, ms: number]>;
    }
  /** Reads per key the worker served (the node's ReadHeat: the warm-up's hot keys). */
  | { type: 'cc:heat'; reads: KeyReads[] }
  /** Requests the worker refused itself, for the node's local audit; `dropped`: past its cap. */
  | { type: 'cc:audit'; rows: LocalAuditRecord[]; dropped: number }
  /** The worker's watchers now, and what it sent them since its last report. */
  | ({ type: 'cc:watch-metrics' } & WorkerWatchReport);

export type NodeMessage =
  | {
      type: 'cc:view-load';
      appliedIndex: number;
      namespaces: NamespaceRecord[];
      configs: ConfigRecord[];
      /** Token hashes and roles: workers authenticate from their replica (DESIGN 21). */
      tokens: TokenRecord[];
    }
  | {
      type: 'cc:view-commit';
      appliedIndex: number;
      namespaces: Array<[number, NamespaceRecord | null]>;
      configs: ConfigRecord[];
      tokens: TokenRecord[];
    }
  /**
   * The watch events of one applied batch (DESIGN 24), sent right after its `cc:view-commit`:
   * a worker serves its own watchers from them and from its replica (never the database).
   */
  | { type: 'cc:watch-events'; appliedIndex: number; events: WatchEvent[] };

/** The messages that change a worker's replica of the view. */
export type ViewMessage = Extract<NodeMessage, { type: 'cc:view-load' | 'cc:view-commit' }>;

export function fullView(view: StateView): ViewMessage {
  return {
    type: 'cc:view-load',
    appliedIndex: view.appliedIndex,
    namespaces: view.namespaces(),
    configs: view.allConfigs(),
    tokens: view.tokens(),
  };
}

/** Applies what the node sent to a worker's replica of the view. */
export function applyToReplica(view: StateView, message: ViewMessage): void {
  if (message.type === 'cc:view-load')
    view.load(message.appliedIndex, message.namespaces, message.configs, message.tokens);
  else {
    view.commit(
      {
        namespaces: new Map(message.namespaces),
        configs: new Map(
          message.configs.map((config) => [`${config.namespaceId}\u0000${config.key}`, config]),
        ),
        tokens: new Map(message.tokens.map((token) => [token.id, token])),
      },
      message.appliedIndex,
    );
  }
}

import http from 'node:http';
import { IncomingMessage } from 'node:http';
import { pipeline, Readable } from 'node:stream';
import Fastify, { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceUnavailable, successEnvelope } from '@cc/common';
import { decodeCallChain, fromQueryString, Resource } from '@cc/resource';
import {
  BatchGetConfigResource,
  GetConfigResource,
  NamespaceConfigsResource,
} from '../config/config-read.resources';
import { EdgeAuthorization } from '../auth/auth-hooks';
import { ReadCounts } from '../cache/read-counts';
import { TokenAuthenticator } from '../auth/token-authenticator';
import { installAuditHooks } from '../audit/audit-hooks';
import { LocalAuditRecord } from '../audit/local-audit-record';
import { AppConfig, isClusterMode } from '../env/app-config';
import { answerClientError, answerFrameworkError } from '../http/client-error';
import { answerError, ErrorLog, sendErrorEnvelope } from '../http/error-mapping';
import { installHttpHardening } from '../http/http-hardening';
import { isJsonBody } from '../http/json-body';
import { REQUEST_ID_REPLACED_HEADER, requestIdOf, requestIdReplaced } from '../http/request-id';
import { serverTimeouts } from '../http/server-timeouts';
import { parseStrictJson } from '../http/strict-json';
import { StallGuard } from '../http/answer-stream';
import { ExpensiveWorkContext, installExpensiveReads } from '../http/expensive-reads';
import { installAnswerStreaming, SharedJson, sharedAnswer } from '../http/shared-answer';
import { ClusterSecretCheck } from '../raft/inbound/cluster-secret.guard';
import { guardInternalRoutes, refuseInternalRoutes } from '../raft/inbound/internal-routes.guard';
import {
  INTERNAL_WILDCARD_PATH,
  NODE_TO_NODE_ROUTES,
  RAFT_STREAM_PATH,
} from '../raft/transport/raft-wire';
import { Consistency, ReadModel } from '../state/read-model';
import { StateView } from '../state/state-view';
import { VersionLookup } from '../version/version-reads';
import { WorkerWatch } from '../watch/worker-watch';
import { applyToReplica, NodeMessage, WorkerMessage } from './view-sync';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);
/** What a worker gets to finish its requests once its node stops it. */
const WORKER_STOP_DEADLINE_MS = 1000;
const METRICS_FLUSH_MS = 250;
/** Audit rows a worker passes on per METRICS_FLUSH_MS (the node caps what it keeps, too). */
const MAX_AUDIT_ROWS_PER_FLUSH = 250;
const PROXY_TIMEOUT_MS = 60_000;

/** A replica of the node's applied view, kept current over IPC. */
class ReplicaReadModel extends ReadModel {
  readonly view = new StateView();
  loaded = false;

  get reader() {
    return this.view;
  }

  async readBarrier(consistency: Consistency | undefined): Promise<void> {
    // Linearizable reads are passed to the node before they get here.
    if (consistency === 'linearizable')
      throw new Error('linearizable reads are served by the node');
  }
}

/** Historical versions come from the node's cache and database: those requests go to the node. */
class NodeOnlyVersions extends VersionLookup {
  async findVersion(): Promise<never> {
    throw new Error('historical versions are served by the node');
  }
}

/** A worker has no Nest logger: one JSON line per event on stderr, as pino writes them. */
const workerLog: ErrorLog = {
  error(fields, message) {
    const { err, ...rest } = fields;
    const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(
      `${JSON.stringify({ level: 'error', time: Date.now(), pid: process.pid, ...rest, err: stack, msg: message })}\n`,
    );
  },
};

function send(process: NodeJS.Process, message: WorkerMessage): void {
  if (process.connected && process.send) process.send(message);
}

/**
 * One read worker: client reads of the latest value (the hot path) from its replica, through
 * the same Resources the node uses; everything else (writes, versions, linearizable reads,
 * admin, Raft RPC) proxied to the node over a keep-alive loopback connection.
 */
export async function runReadWorker(config: AppConfig, coreUrl: string): Promise<void> {
  const replica = new ReplicaReadModel();
  const reads = new ReadCounts();
  const getConfig = new GetConfigResource(replica, new NodeOnlyVersions(), reads);
  const batchGet = new BatchGetConfigResource(replica);
  const namespaceConfigs = new NamespaceConfigsResource(replica);
  const core = new URL(coreUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  let observations: Array<[string, string, number, number]> = [];
  // Refusals for the node's local audit, sent with the metrics; a flood beyond the cap is counted.
  let auditRows: LocalAuditRecord[] = [];
  let auditDropped = 0;

  const watch = new WorkerWatch(replica.view, config, (request, reply, error) => {
    void answerError(request, reply, error, workerLog);
  });
  process.on('message', (message: NodeMessage) => {
    if (message.type === 'cc:watch-events')
      return watch.hub.publish(message.events, message.appliedIndex);
    applyToReplica(replica.view, message);
    replica.loaded = true;
    send(process, { type: 'cc:applied', appliedIndex: replica.view.appliedIndex });
  });
  // The node is gone (even kill -9): a worker must not serve a frozen view.
  process.on('disconnect', () => process.exit(0));
  setInterval(() => {
    if (auditRows.length > 0 || auditDropped > 0) {
      send(process, { type: 'cc:audit', rows: auditRows, dropped: auditDropped });
      auditRows = [];
      auditDropped = 0;
    }
    const watchReport = watch.takeReport();
    if (watchReport) send(process, { type: 'cc:watch-metrics', ...watchReport });
    const heat = reads.take();
    if (heat.length > 0) send(process, { type: 'cc:heat', reads: heat });
    if (observations.length === 0) return;
    send(process, { type: 'cc:metrics', observations });
    observations = [];
  }, METRICS_FLUSH_MS).unref();

  const fastify = Fastify({
    // Requests on connections already open are served while stopping, not refused with 503.
    return503OnClosing: false,
    genReqId: (request: IncomingMessage) => requestIdOf(request.headers['x-request-id']),
    ...serverTimeouts(config.http),
    routerOptions: { maxParamLength: 512 },
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  });
  // Bodies stay raw: a proxied request is passed on byte for byte, and the node's own parser
  // (http/json-body.ts) judges it; the one body served here goes through the same strict parse.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  // Tokens are checked here too, from the replica (DESIGN 21); a request passed on under a
  // wildcard route gets its role and namespace checks on the node as well.
  const authorization = new EdgeAuthorization(
    new TokenAuthenticator(replica.view, config.adminToken),
    new Set(['/api/v1/admin/*', '/*', '/']),
  );
  installHttpHardening(fastify, config, NODE_TO_NODE_ROUTES, authorization);
  authorization.install(fastify);
  installAuditHooks(fastify, {
    nodeId: config.nodeId,
    refusalsOnly: true,
    record: (row) => {
      if (auditRows.length < MAX_AUDIT_ROWS_PER_FLUSH) auditRows.push(row);
      else auditDropped++;
    },
  });
  // What fails before a handler (a body over the limit...) gets the envelope too.
  fastify.setErrorHandler((error, request, reply) => answerError(request, reply, error, workerLog));
  let stopping = false;
  fastify.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    // A stopping worker closes each connection after its answer: the client goes elsewhere.
    if (stopping) void reply.header('connection', 'close');
    if (requestIdReplaced(request)) void reply.header(REQUEST_ID_REPLACED_HEADER, 'true');
    done(null, payload);
  });
  installAnswerStreaming(fastify, config.answerStallTimeoutMs);

  installExpensiveReads(fastify, config.expensiveReadSlots);
  const expensiveReads = fastify.expensiveReads;
  const context = (request: FastifyRequest, reply: FastifyReply): ExpensiveWorkContext => ({
    requestId: request.id,
    nodeId: config.nodeId,
    chain: decodeCallChain(request.headers['x-call-chain']),
    enterExpensive: () => expensiveReads.enter(reply.raw),
  });

  const proxy = (request: FastifyRequest, reply: FastifyReply): Promise<void> =>
    new Promise((resolve) => {
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(request.headers))
        if (!HOP_BY_HOP.has(name)) headers[name] = value;
      headers['x-request-id'] = request.id;
      headers['x-forwarded-for'] = request.ip;
      const body = request.body;
      // A Raft stream lives as long as its sender keeps it; its sender watches it.
      const streaming = request.routeOptions.url === RAFT_STREAM_PATH;
      // Lives for days: whatever idle timeout the server sets for other requests does not apply.
      if (streaming) request.raw.socket.setTimeout(0);
      const upstream = http.request(
        {
          host: core.hostname,
          port: core.port,
          method: request.method,
          path: request.url,
          headers,
          agent,
        },
        (response) => {
          void reply.code(response.statusCode ?? 502);
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) void reply.header(name, value);
          }
          // A client that stops reading is dropped; meanwhile the node's answer waits, paused,
          // in the node's socket, not here (a Raft stream is watched by its sender instead).
          void reply.send(
            streaming
              ? response
              : pipeline(
                  response,
                  new StallGuard(reply.raw, config.answerStallTimeoutMs),
                  () => undefined,
                ),
          );
          resolve();
        },
      );
      if (!streaming)
        upstream.setTimeout(PROXY_TIMEOUT_MS, () =>
          upstream.destroy(new Error(`no answer in ${PROXY_TIMEOUT_MS} ms`)),
        );
      upstream.on('error', (error) => {
        // The client went away first (a sender closed its stream): nobody to answer, nothing wrong.
        if (request.raw.socket.destroyed || reply.raw.destroyed) return resolve();
        workerLog.error(
          { err: error, request_id: request.id, url: request.url },
          'passing the request on to the node failed',
        );
        // A stream under way cannot take an error envelope any more: cut it, its sender reconnects.
        if (reply.raw.headersSent) {
          reply.raw.destroy();
          resolve();
          return;
        }
        void sendErrorEnvelope(
          request,
          reply,
          new ServiceUnavailable(`node unavailable: ${error.message}`),
        );
        resolve();
      });
      if (body instanceof Readable) {
        // Internal routes pass their bodies on as they arrive (the node applies its limits).
        // The stream's sender writes nothing until the node accepts: the node must see the
        // request now. A sender that goes away tears the upstream request down with it.
        upstream.flushHeaders();
        pipeline(body, upstream, () => undefined);
      } else {
        upstream.end(Buffer.isBuffer(body) ? body : undefined);
      }
    });

  const serve = async <I extends object>(
    request: FastifyRequest,
    reply: FastifyReply,
    resource: Resource<I, unknown>,
    input: unknown,
    api: string,
  ): Promise<void> => {
    const started = performance.now();
    let status = 200;
    try {
      const data = await resource.request(input, context(request, reply));
      await reply.send(
        data instanceof SharedJson
          ? sharedAnswer(request, reply, data, config.answerStallTimeoutMs)
          : successEnvelope(data, request.id),
      );
    } catch (error) {
      await answerError(request, reply, error, workerLog);
      status = reply.statusCode;
    }
    observations.push([api, request.method, status, performance.now() - started]);
  };

  const servedHere = (query: Record<string, unknown>): boolean =>
    replica.loaded && query.version === undefined && query.consistency !== 'linearizable';

  fastify.get('/api/v1/config/get', (request, reply) => {
    const query = request.query as Record<string, unknown>;
    if (!servedHere(query)) return proxy(request, reply);
    return serve(request, reply, getConfig, fromQueryString(query), '/api/v1/config/get');
  });
  fastify.get('/api/v1/config/namespace/:namespace', (request, reply) => {
    const query = request.query as Record<string, unknown>;
    if (!servedHere(query)) return proxy(request, reply);
    const { namespace } = request.params as { namespace: string };
    return serve(
      request,
      reply,
      namespaceConfigs,
      { namespace, consistency: query.consistency },
      '/api/v1/config/namespace/:namespace',
    );
  });
  fastify.post('/api/v1/config/batch-get', (request, reply) => {
    let body: unknown;
    try {
      if (!isJsonBody(request) || !Buffer.isBuffer(request.body)) throw new Error('not JSON');
      body = parseStrictJson(request.body);
    } catch {
      return proxy(request, reply); // the node refuses it (40001, 40002, 41501) exactly as usual
    }
    if (typeof body !== 'object' || body === null || !servedHere(body as Record<string, unknown>))
      return proxy(request, reply);
    try {
      authorization.afterBody(request, body);
    } catch (error) {
      return answerError(request, reply, error, workerLog);
    }
    return serve(request, reply, batchGet, body, '/api/v1/config/batch-get');
  });
  if (isClusterMode(config.cluster)) {
    // Node-to-node routes: refused here as on the node, before a byte of the body is read;
    // accepted ones pass through unbuffered (a scoped parser hands the body on as it arrives).
    guardInternalRoutes(fastify, {
      secret: new ClusterSecretCheck(config),
      bodyTimeoutMs: config.cluster.bodyTimeoutMs,
      bodyLimits: false,
    });
    void fastify.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
      // The stream has a route of its own: it is exempt from the body timeout.
      scope.post(RAFT_STREAM_PATH, proxy);
      scope.all(INTERNAL_WILDCARD_PATH, proxy);
    });
  } else {
    refuseInternalRoutes(fastify);
  }
  // Passed on as they are, each under its own route so it gets its own body limit and the
  // admin check sees its template (http-hardening.ts); anything else takes the small limit.
  watch.install(fastify, () => replica.loaded, proxy);
  fastify.route({ method: ['POST', 'PUT'], url: '/api/v1/admin/config', handler: proxy });
  fastify.post('/api/v1/admin/config/batch', proxy);
  fastify.post('/api/v1/admin/namespace/import', proxy);
  fastify.all('/api/v1/admin/*', proxy);
  fastify.all('/*', proxy);
  fastify.all('/', proxy);

  await fastify.listen({ port: config.port, host: config.host });
  send(process, { type: 'cc:hello' });
  // A graceful stop of the node (issue 16): no new connections, the requests under way finish
  // (a proxied one with the node, which waits for its workers), then exit.
  process.once('SIGTERM', () => {
    stopping = true;
    watch.hub.stop();
    setTimeout(() => process.exit(0), WORKER_STOP_DEADLINE_MS).unref();
    void fastify.close().then(() => process.exit(0));
  });
}

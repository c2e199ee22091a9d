import { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { EdgeAuthorization } from './auth/auth-hooks';
import { installCors } from './auth/cors';
import { TokenAuthenticator } from './auth/token-authenticator';
import { installAuditHooks } from './audit/audit-hooks';
import { LocalAuditRecorder } from './audit/local-audit.recorder';
import { AppConfig, isClusterMode } from './env/app-config';
import { answerClientError, answerFrameworkError } from './http/client-error';
import { installEnvelope } from './http/envelope';
import { installHttpHardening } from './http/http-hardening';
import { installJsonBodyParser } from './http/json-body';
import { serverTimeouts } from './http/server-timeouts';
import { REQUEST_ID_REPLACED_HEADER, requestIdOf, requestIdReplaced } from './http/request-id';
import { installExpensiveReads } from './http/expensive-reads';
import { installAnswerStreaming } from './http/shared-answer';
import { HealthRegistry } from './observability/health-registry';
import { HttpMetrics } from './observability/http-metrics';
import { becomeReadyWhenCaughtUp } from './observability/readiness';
import { ClusterSecretCheck } from './raft/inbound/cluster-secret.guard';
import { guardInternalRoutes, refuseInternalRoutes } from './raft/inbound/internal-routes.guard';
import { installRaftMessagesRoute } from './raft/inbound/raft-messages.route';
import { installRaftSnapshotRoute } from './raft/inbound/raft-snapshot.route';
import { installRaftStreamRoute } from './raft/inbound/raft-stream.route';
import { NODE_TO_NODE_ROUTES } from './raft/transport/raft-wire';
import { RaftCommandLog } from './raft/log/raft-command-log';
import { CommandLog } from './state/command-log';
import { StateService } from './state/state.service';
import { StateView } from './state/state-view';
import { isWatchRoute } from './watch/watch-filter';

/** Builds the node's HTTP application; `main.ts` listens, tests use it in-process. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // A stopping node serves the requests on connections already open (issue 16), then closes them.
    return503OnClosing: false,
    genReqId: (request: IncomingMessage) => requestIdOf(request.headers['x-request-id']),
    routerOptions: { maxParamLength: 512 },
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    ...serverTimeouts(config.http),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    // Ours instead (http/json-body.ts): strict JSON only, anything else 415.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));

  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(HttpMetrics);
  fastify.decorateRequest('nodeId', config.nodeId);
  fastify.decorateRequest('behindReadWorkers', config.httpWorkers > 1);
  installEnvelope(fastify);
  const authorization = new EdgeAuthorization(
    new TokenAuthenticator(app.get(StateView), config.adminToken),
  );
  installCors(fastify, config.corsOrigins);
  installHttpHardening(fastify, config, NODE_TO_NODE_ROUTES, authorization);
  authorization.install(fastify);
  installJsonBodyParser(fastify);
  installExpensiveReads(fastify, config.expensiveReadSlots);
  installAnswerStreaming(fastify, config.answerStallTimeoutMs);
  installAuditHooks(fastify, {
    nodeId: config.nodeId,
    refusalsOnly: false,
    record: app.get(LocalAuditRecorder).record,
  });
  // Node-to-node routes exist only on a cluster node; the guard precedes every one of them.
  if (isClusterMode(config.cluster)) {
    guardInternalRoutes(fastify, {
      secret: new ClusterSecretCheck(config),
      bodyTimeoutMs: config.cluster.bodyTimeoutMs,
      bodyLimits: true,
    });
    const raft = app.get(CommandLog);
    if (!(raft instanceof RaftCommandLog)) throw new Error('a cluster node runs the Raft log');
    installRaftMessagesRoute(fastify, raft);
    installRaftStreamRoute(fastify, raft);
    installRaftSnapshotRoute(fastify, raft);
  } else {
    refuseInternalRoutes(fastify);
  }
  const health = app.get(HealthRegistry);
  fastify.addHook('onSend', (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    // A stopping node closes each connection after its answer: the client goes elsewhere.
    if (health.isStopping) void reply.header('connection', 'close');
    if (requestIdReplaced(request)) void reply.header(REQUEST_ID_REPLACED_HEADER, 'true');
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // A long poll or a stream lasts as long as it waits: it would fire the latency alert.
    if (isWatchRoute(request.routeOptions.url)) return done();
    metrics.record(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime,
    );
    done();
  });

  if (config.swagger) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Configuration center')
        .setDescription(
          'Versioned, audited configuration with Raft replication. Every response uses the envelope ' +
            '{code, message, data | error, request_id, timestamp}; error codes follow spec 3.8.8.',
        )
        .setVersion('1')
        .addBearerAuth()
        // Every operation but health and metrics needs a token (DESIGN 21): "Authorize" once.
        .addSecurityRequirements('bearer')
        .build(),
    );
    SwaggerModule.setup('docs', app, document);
  }

  await app.init();
  const state = app.get(StateService);
  const logger = app.get(Logger);
  // Not awaited: a cluster member catches up through Raft messages, which arrive once it listens.
  void becomeReadyWhenCaughtUp(app.get(HealthRegistry), {
    catchUp: () => state.readBarrier('linearizable'),
    retryMs: config.cluster.tickMs,
    onRetry: (error) =>
      logger.debug(`not ready yet, catching up: ${(error as Error).message}`, 'Readiness'),
  });
  return app;
}

import { Controller, Get, Inject, Logger, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../env/app-config';
import { answerError } from '../http/error-mapping';
import { ApiEnvelope, ApiErrors } from '../http/swagger';
import { NodeWatchHub } from './node-watch-hub';
import {
  MAX_EVENTS_PER_POLL,
  MAX_WATCHED_NAMESPACES,
  POLL_TIMEOUT_DEFAULT_SECONDS,
  POLL_TIMEOUT_MAX_SECONDS,
} from './watch-filter';
import { servePoll, serveStream, WatchTransportDeps, watchTransportDeps } from './watch-transports';

const NamespaceQuery = () =>
  ApiQuery({
    name: 'namespace',
    isArray: true,
    type: String,
    description: `1 to ${MAX_WATCHED_NAMESPACES} namespaces, repeated: namespace=a&namespace=b`,
  });
const PrefixQuery = () =>
  ApiQuery({ name: 'prefix', required: false, description: 'only keys starting with this' });

/** Watching configs (WATCH-API.md): long polling and Server-Sent Events, from this node's state. */
@ApiTags('client')
@Controller('api/v1/config')
export class WatchController {
  private readonly deps: WatchTransportDeps;

  constructor(node: NodeWatchHub, @Inject(APP_CONFIG) config: AppConfig) {
    const logger = new Logger('Watch');
    this.deps = watchTransportDeps(node.hub, node.reader, config, (request, reply, error) => {
      void answerError(request, reply, error, logger);
    });
  }

  @Get('watch')
  @ApiOperation({
    summary: 'Long poll: the events after `revision` (at once, or none after `timeout`)',
    description:
      `Answers at once with the events (one per committed write, a batch is one event) whose ` +
      `revision is greater than \`revision\`, at most ${MAX_EVENTS_PER_POLL}; else, after ` +
      `\`timeout\` seconds, with none. Without \`revision\`, or with one older than this node's ` +
      `event history, answers a snapshot of the watched configs instead. \`data\`: ` +
      `{events, snapshot, revision}; poll again from \`revision\`.`,
  })
  @NamespaceQuery()
  @PrefixQuery()
  @ApiQuery({ name: 'revision', required: false, type: Number })
  @ApiQuery({
    name: 'timeout',
    required: false,
    type: Number,
    description: `whole seconds, 1 to ${POLL_TIMEOUT_MAX_SECONDS}, default ${POLL_TIMEOUT_DEFAULT_SECONDS}`,
  })
  @ApiEnvelope()
  @ApiErrors(40001, 40101, 40301, 40402, 50301)
  watch(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    servePoll(request, reply, this.deps);
  }

  @Get('stream')
  @ApiOperation({
    summary:
      'Server-Sent Events: a snapshot or the events after the start point, then every change',
    description:
      'text/event-stream. Frames: `event: snapshot` (id = its revision), `event: change` (id = ' +
      'the revision of the write, data = {revision, changes}), `: heartbeat` comments every 15 s, ' +
      'and `event: error` (data = {code, message}) before the server closes the stream (token ' +
      'revoked or expired, namespace disabled or deleted, 50301 when the node stops). Resume ' +
      'with `Last-Event-ID` (or `revision=`): no gap, no duplicate.',
  })
  @ApiProduces('text/event-stream')
  @NamespaceQuery()
  @PrefixQuery()
  @ApiQuery({ name: 'revision', required: false, type: Number })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'resume after this revision' })
  @ApiErrors(40001, 40101, 40301, 40402, 50301)
  stream(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    serveStream(request, reply, this.deps);
  }
}

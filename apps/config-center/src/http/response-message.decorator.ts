import { RouteConfig } from '@nestjs/platform-fastify';

/** Route options the envelope hook reads (see `installEnvelope`). */
export interface EnvelopeRouteConfig {
  responseMessage?: string;
}

/** The `message` of a successful envelope for one endpoint (spec 3.8.4: "配置创建成功" ...). */
export const ResponseMessage = (message: string) =>
  RouteConfig({ responseMessage: message } satisfies EnvelopeRouteConfig);

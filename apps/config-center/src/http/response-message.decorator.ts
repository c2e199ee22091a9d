import { Reflector } from '@nestjs/core';

/** The `message` of a successful envelope for one endpoint (spec 3.8.4: "配置创建成功" ...). */
export const ResponseMessage = Reflector.createDecorator<string>();

/** Marks an endpoint whose body is not wrapped in the envelope (Prometheus text). */
export const RawResponse = Reflector.createDecorator<boolean>({ transform: () => true });

import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { Observable, map } from 'rxjs';
import { successEnvelope } from '@cc/common';
import { RawResponse, ResponseMessage } from './response-message.decorator';

/** Wraps every handler result in the spec's envelope, once, here (STYLE "Edges"). */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const handler = context.getHandler();
    if (this.reflector.get(RawResponse, handler)) return next.handle();
    const message = this.reflector.get(ResponseMessage, handler) ?? 'success';
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return next
      .handle()
      .pipe(map((data: unknown) => successEnvelope(data ?? null, request.id, message)));
  }
}

import { randomUUID } from 'node:crypto';
import { STATUS_CODES, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, ErrorCodeValue, errorEnvelope, httpStatusOf } from '@cc/common';

interface ClientError extends Error {
  code?: string;
}

function codeOf(error: ClientError): { code: ErrorCodeValue; message: string } {
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return { code: ErrorCode.HEADERS_TOO_LARGE, message: 'the request headers are too large' };
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { code: ErrorCode.REQUEST_TIMEOUT, message: 'the request was not complete in time' };
  return { code: ErrorCode.BAD_PARAMETER, message: 'malformed HTTP request' };
}

/**
 * Fastify's `clientErrorHandler`: what Node refuses before any route sees the request (a broken
 * request line or header, headers too large, a request timeout) is answered with our envelope
 * (400/40001, 431/43101, 408/40801) instead of Fastify's own JSON, then the connection is closed.
 */
export function answerClientError(error: ClientError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already under way on this socket cannot take another one (as Node's own handler).
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const { code, message } = codeOf(error);
    const requestId = randomUUID();
    const body = JSON.stringify(errorEnvelope(code, message, requestId));
    const status = httpStatusOf(code);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}

/**
 * Fastify's `frameworkErrors`: a URL it cannot decode (`/%ZZ`) is answered before any hook or
 * handler, by default in Fastify's own JSON. Ours: 400 / 40001 in the envelope.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const body = errorEnvelope(
    ErrorCode.BAD_PARAMETER,
    'malformed request URL',
    request.id,
    error.message,
  );
  // A string: no serialisation hook wraps it a second time.
  void reply
    .code(httpStatusOf(ErrorCode.BAD_PARAMETER))
    .header('content-type', 'application/json; charset=utf-8')
    .header('x-request-id', request.id)
    .send(JSON.stringify(body));
}

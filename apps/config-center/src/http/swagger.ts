import { applyDecorators, Type } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { defaultMessages, ErrorCodeValue, httpStatusOf } from '@cc/common';

/** Documents the success envelope around `model` (or a free-form object). */
export function ApiEnvelope(model?: Type<unknown>) {
  const data = model
    ? { $ref: getSchemaPath(model) }
    : { type: 'object', additionalProperties: true };
  return applyDecorators(
    ...(model ? [ApiExtraModels(model)] : []),
    ApiResponse({
      status: 200,
      description: 'success envelope',
      schema: {
        type: 'object',
        properties: {
          code: { type: 'integer', example: 0 },
          message: { type: 'string', example: 'success' },
          data,
          request_id: { type: 'string', format: 'uuid' },
          timestamp: { type: 'integer', description: 'seconds since the epoch' },
        },
      },
    }),
  );
}

/** Documents the error envelopes an endpoint can answer with, grouped by HTTP status. */
export function ApiErrors(...codes: ErrorCodeValue[]) {
  const byStatus = new Map<number, ErrorCodeValue[]>();
  for (const code of [...codes, 50001 as const]) {
    const status = httpStatusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return applyDecorators(
    ...[...byStatus].map(([status, group]) =>
      ApiResponse({
        status,
        description: group.map((code) => `${code} ${defaultMessages[code]}`).join('; '),
        schema: {
          type: 'object',
          properties: {
            code: { type: 'integer', enum: group },
            message: { type: 'string' },
            error: { type: 'object', properties: { details: {} }, additionalProperties: true },
            request_id: { type: 'string' },
            timestamp: { type: 'integer' },
          },
        },
      }),
    ),
  );
}

export function ApiWriteHeaders() {
  return applyDecorators(
    ApiHeader({
      name: 'X-Operator',
      required: false,
      description: 'who makes the change (audit); default anonymous',
    }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'a retry with the same key and the same request is applied once and answered with the first result; ' +
        'the key with a different request to this endpoint answers 422 (42201). Scoped to the caller and the ' +
        'endpoint, remembered 24 h. X-Request-Id never dedupes.',
    }),
  );
}

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ERRORS, TesseraError, type ErrorCode, type FieldProblem } from '../errors/index.js';

/** Fastify's own error codes, mapped onto the registry. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_request',
  FST_ERR_VALIDATION: 'invalid_request',
  FST_ERR_BAD_URL: 'invalid_request',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

function validationDetails(errors: AjvError[], part: string | undefined): FieldProblem[] {
  return errors.map((e) => {
    const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const extra = (e.params.missingProperty ?? e.params.additionalProperty) as string | undefined;
    const field = [path, extra].filter(Boolean).join('.') || part || 'body';
    const message = e.keyword === 'additionalProperties' ? 'is not an accepted field' : (e.message ?? 'is invalid');
    return { field, message };
  });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: TesseraError): FastifyReply {
  const { retryAfterSec, details, headers } = error.extra;
  if (retryAfterSec !== undefined) reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterSec))));
  if (headers) reply.headers(headers);
  const body: Record<string, unknown> = { code: error.code, message: error.message, requestId: request.id };
  if (details) body.details = details;
  return reply
    .code(error.status)
    .type('application/json')
    .send(JSON.stringify({ error: body }));
}

/** The one place an error of any origin becomes the JSON error shape. */
export function toTesseraError(error: FastifyError | Error): TesseraError {
  if (error instanceof TesseraError) return error;
  const fe = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe.validation)
    return new TesseraError('invalid_request', 'Some fields are invalid.', {
      details: validationDetails(fe.validation, fe.validationContext),
    });
  const code =
    (fe.code && FASTIFY_CODES[fe.code]) ??
    (fe.statusCode && fe.statusCode < 500 ? (STATUS_CODES[fe.statusCode] ?? 'invalid_request') : undefined);
  if (code)
    return new TesseraError(
      code,
      code === 'invalid_request' ? 'The request body is not valid JSON.' : ERRORS[code].message,
    );
  if (error instanceof SyntaxError) return new TesseraError('invalid_request', 'The request body is not valid JSON.');
  return new TesseraError('internal');
}

/** Fastify runs without a logger (see app.ts): errors are logged here, with the request id, on Tessera's logger. */
export function registerErrorHandling(app: FastifyInstance, logger: Pick<Logger, 'error' | 'warn'>): void {
  app.setErrorHandler((error, request, reply) => {
    const mapped = toTesseraError(error as Error);
    const where = () => ({
      err: error,
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
    });
    if (mapped.status >= 500 && mapped.code !== 'unavailable') logger.error(where(), 'unhandled error');
    else if (mapped.code === 'unavailable') logger.warn(where(), 'dependency unavailable');
    return sendError(request, reply, mapped);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new TesseraError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}.`),
    ),
  );
}

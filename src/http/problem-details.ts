import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorCatalogue, problemType, type ErrorCode } from '../errors/error-catalogue.js';
import { HubError } from '../errors/hub-error.js';
import type { FieldError } from '../messages/generated-types.js';

/**
 * RFC 9457 problem details for every error response. `code` is the stable catalogue code,
 * `errors` lists each invalid field with its JSON pointer. 5xx responses never carry internals.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance: string;
  errors?: readonly FieldError[];
  [extension: string]: unknown;
}

export function problem(code: ErrorCode, detail: string, instance: string, errors?: readonly FieldError[], extra: Record<string, unknown> = {}): ProblemBody {
  const entry = errorCatalogue[code];
  return { type: problemType(code), title: entry.title, status: entry.status, code, detail, instance, ...(errors?.length ? { errors } : {}), ...extra };
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): FastifyReply {
  return reply.code(body.status).type('application/problem+json').send(body);
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_BODY',
};

function fromFastify(err: FastifyError, request: FastifyRequest): ProblemBody {
  if (err.validation) {
    const where = err.validationContext ?? 'body';
    const errors: FieldError[] = err.validation.map((v) => {
      const params = v.params as Record<string, unknown>;
      const missing = v.keyword === 'required' ? `/${String(params.missingProperty)}` : '';
      return { pointer: `/${where}${v.instancePath}${missing}`, code: `schema.${v.keyword}`, message: v.keyword === 'required' ? 'is required' : (v.message ?? 'is invalid') };
    });
    return problem('BAD_REQUEST', `the request ${where} is not valid`, request.url, errors);
  }
  const mapped = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (mapped) return problem(mapped, err.message, request.url);
  if (err.statusCode === 415) return problem('UNSUPPORTED_MEDIA_TYPE', err.message, request.url);
  if (err.statusCode === 413) return problem('PAYLOAD_TOO_LARGE', err.message, request.url);
  if (err.statusCode === 429) return problem('RATE_LIMITED', err.message, request.url);
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return problem('BAD_REQUEST', err.message, request.url);
  return problem('INTERNAL', 'the hub could not complete the request; it has been logged', request.url);
}

export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const body = err instanceof HubError ? problem(err.code, err.message, request.url, err.errors, err.extra) : fromFastify(err, request);
    if (body.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.code, status: body.status }, body.detail);
    return sendProblem(reply, body);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problem('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, request.url)));
}

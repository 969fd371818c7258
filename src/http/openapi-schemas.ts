/**
 * JSON Schemas of the REST API's requests and responses. Fastify validates with them and
 * @fastify/swagger publishes them at /docs, so the documentation cannot drift from the code.
 * Response schemas also drive serialisation, hence `additionalProperties: true` where a body has
 * open-ended parts.
 */
export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details',
  additionalProperties: true,
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'Stable error code from the hub catalogue' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: { pointer: { type: 'string' }, source: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

export const problemResponses = {
  400: { $ref: 'Problem#' },
  401: { $ref: 'Problem#' },
  403: { $ref: 'Problem#' },
  404: { $ref: 'Problem#' },
  409: { $ref: 'Problem#' },
  413: { $ref: 'Problem#' },
  415: { $ref: 'Problem#' },
} as const;

export const uuidParam = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export const acceptedSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    ledgerId: { type: 'string', format: 'uuid' },
    messageId: { type: 'string' },
    correlationId: { type: 'string' },
    status: { type: 'string' },
    duplicate: { type: 'boolean' },
  },
} as const;

export const openObject = { type: 'object', additionalProperties: true } as const;

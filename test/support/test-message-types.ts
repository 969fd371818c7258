import type { SchemaDocument } from '../../src/messages/schema-catalog.js';

/**
 * The schema of a test-only inbound message type whose payload is one `note` string: what specs
 * need to give a handler of their own (flaky, refusing, buggy) messages to work on.
 */
export function noteMessageSchema(type: `test.${string}`): SchemaDocument {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:tracehub:schema:${type}`,
    'x-tracehub': { direction: 'inbound' },
    type: 'object',
    required: ['note'],
    additionalProperties: false,
    properties: { note: { type: 'string' } },
  };
}

import { describe, expect, it } from 'vitest';
import { discoverMessageTypes } from '../../src/messages/message-types.js';
import { loadSchemaCatalog } from '../../src/messages/schema-catalog.js';
import { HandlerRegistry } from '../../src/pipeline/handler-registry.js';
import type { MessageHandler } from '../../src/pipeline/message-handler.js';

/** The hub's own types only, so these rules do not depend on which domain modules exist. */
const hubOnly = (all: ReturnType<typeof discoverMessageTypes>) => new Map([...all].filter(([type]) => type.startsWith('hub.') || type.startsWith('trace.echo')));
const types = hubOnly(discoverMessageTypes(loadSchemaCatalog()));

function handler(type: string): MessageHandler<never> {
  return { type, apply: async () => {} };
}

/** The error the registry must refuse to start with. */
function startError(handlers: MessageHandler<never>[], registryTypes = types): Error {
  try {
    new HandlerRegistry(handlers, registryTypes);
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the handler registry to refuse these handlers');
}

describe('handler registry', () => {
  it('accepts exactly one handler per inbound type and finds it by type', () => {
    const notice = handler('hub.notice');
    const registry = new HandlerRegistry([notice], types);
    expect(registry.get('hub.notice')).toBe(notice);
    expect(registry.types()).toEqual(['hub.notice']);
    expect(registry.get('hub.receipt')).toBeUndefined();
  });

  it('refuses to start when an inbound type has no handler, naming the type', () => {
    expect(startError([]).message).toMatch(/no handler for inbound message type hub\.notice/);
  });

  it('refuses two handlers for one type, naming the type', () => {
    expect(startError([handler('hub.notice'), handler('hub.notice')]).message).toMatch(/two handlers for message type hub\.notice/);
  });

  it('refuses a handler for a type with no schema, naming the type', () => {
    expect(startError([handler('hub.notice'), handler('hub.bogus')]).message).toMatch(/handler for hub\.bogus, which has no schema in schemas\/messages/);
  });

  it('refuses a handler for an outbound-only type, naming the type', () => {
    expect(startError([handler('hub.notice'), handler('hub.receipt')]).message).toMatch(/handler for hub\.receipt, which is an outbound-only type/);
  });

  it('requires a handler for a type that goes both ways', () => {
    const catalog = loadSchemaCatalog(undefined, [{ $id: 'urn:tracehub:schema:trace.echo', 'x-tracehub': { direction: 'both' }, type: 'object' }]);
    const withBoth = hubOnly(discoverMessageTypes(catalog));
    expect(startError([handler('hub.notice')], withBoth).message).toMatch(/no handler for inbound message type trace\.echo/);
    expect(new HandlerRegistry([handler('hub.notice'), handler('trace.echo')], withBoth).types().sort()).toEqual(['hub.notice', 'trace.echo']);
  });

  it('lists every problem in one error, not only the first', () => {
    const message = startError([handler('hub.receipt'), handler('hub.bogus')]).message;
    expect(message).toMatch(/^message handler registry is incomplete:/);
    expect(message).toContain('hub.receipt');
    expect(message).toContain('hub.bogus');
    expect(message).toContain('no handler for inbound message type hub.notice');
  });
});

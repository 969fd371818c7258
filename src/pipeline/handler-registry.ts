import type { MessageTypeDefinition } from '../messages/message-types.js';
import type { MessageHandler } from './message-handler.js';

/**
 * Handlers by message type. Built once at start and checked against the type registry: an inbound
 * type without a handler, two handlers for one type, or a handler for an unknown type all stop
 * the start, so no message can ever arrive that nothing knows how to apply.
 */
export class HandlerRegistry {
  readonly #handlers = new Map<string, MessageHandler<never>>();

  constructor(handlers: readonly MessageHandler<never>[], types: ReadonlyMap<string, MessageTypeDefinition>) {
    const problems: string[] = [];
    for (const h of handlers) {
      if (this.#handlers.has(h.type)) problems.push(`two handlers for message type ${h.type}`);
      if (!h.apply && !h.applyMany) problems.push(`handler for ${h.type} has neither apply nor applyMany`);
      if (!types.has(h.type)) problems.push(`handler for ${h.type}, which has no schema in schemas/messages`);
      else if (types.get(h.type)!.direction === 'outbound') problems.push(`handler for ${h.type}, which is an outbound-only type`);
      this.#handlers.set(h.type, h);
    }
    for (const def of types.values()) {
      if (def.direction !== 'outbound' && !this.#handlers.has(def.type)) problems.push(`no handler for inbound message type ${def.type}`);
    }
    if (problems.length) throw new Error(`message handler registry is incomplete:\n  ${problems.join('\n  ')}`);
  }

  get(type: string): MessageHandler<never> | undefined {
    return this.#handlers.get(type);
  }

  types(): string[] {
    return [...this.#handlers.keys()];
  }
}

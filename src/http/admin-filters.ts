import type { MessageStatus } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import type { MessageFilter } from '../ledger/ledger-queries.js';
import type { DeliveryFilter } from '../operations/deliveries.js';

/**
 * The filters of the admin lists (ledger messages, deliveries) and of the bulk actions on them
 * (replay, requeue): their query schemas, and their conversion into the stores' filters, with a
 * field at fault named where it is in the request.
 */
export const messageFilterQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['received', 'validated', 'applied', 'rejected', 'dead', 'replayed', 'failing'] },
    sender: { type: 'string', pattern: '^[A-Z]{2}$', description: 'Sender country' },
    agency: { type: 'string' },
    type: { type: 'string' },
    serial: { type: 'string', description: 'Any serial number the message is about' },
    correlationId: { type: 'string' },
    messageId: { type: 'string', description: "The sender's own message id" },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    before: { type: 'string', format: 'uuid', description: 'Cursor: the last ledgerId of the previous page' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;

/**
 * A filter in the body of a bulk action (replay, requeue): the search's own filter, but its limit
 * has no page-size default, which the schema would fill in before the action could apply its own
 * (every match, up to 1000).
 */
export const BULK_LIMIT = 1000;
export function bulkFilter<P extends { limit: object }>(query: { type: 'object'; additionalProperties: false; properties: P }) {
  return {
    ...query,
    properties: { ...query.properties, limit: { type: 'integer', minimum: 1, maximum: BULK_LIMIT, description: `At most this many (default and most: ${BULK_LIMIT}); "more" in the answer says whether others matched` } },
  } as const;
}

export interface FilterQuery {
  status?: MessageStatus | 'failing';
  sender?: string;
  agency?: string;
  type?: string;
  serial?: string;
  correlationId?: string;
  messageId?: string;
  from?: string;
  to?: string;
  before?: string;
  limit?: number;
}

/** A delivery filter as the query string gives it: times as text. */
export type DeliveryQuery = Omit<DeliveryFilter, 'from' | 'to' | 'limit'> & { from?: string; to?: string; limit?: number };

/**
 * A filter's date-time. RFC 3339, and so the schema, allows a leap second (23:59:60), which a
 * JavaScript Date cannot hold: it is read as the last millisecond of its minute, which every stored
 * time compares with as it would with the leap second itself. Should Date still not read a value,
 * the field is named rather than the database refusing it.
 */
function filterTime(value: string | undefined, pointer: string): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value.replace(/(T\d{2}:\d{2}):60(?:\.\d+)?/i, '$1:59.999'));
  if (Number.isNaN(at.getTime())) throw new HubError('BAD_REQUEST', `${value.slice(0, 40)} is not a date-time the hub can read`, [{ pointer, code: 'schema.format', message: 'must be an RFC 3339 date-time' }]);
  return at;
}

/** `at`: where the filter's fields are in the request, to name one at fault ('/querystring', '/body/filter'). */
export function toFilter(q: FilterQuery, limit: number, at: string): MessageFilter {
  return {
    status: q.status,
    senderCountry: q.sender,
    senderAgency: q.agency,
    type: q.type,
    serial: q.serial,
    correlationId: q.correlationId,
    messageId: q.messageId,
    from: filterTime(q.from, `${at}/from`),
    to: filterTime(q.to, `${at}/to`),
    before: q.before,
    limit,
  };
}

export const deliveryFilterQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['pending', 'delivered', 'acked', 'failed', 'dead'] },
    country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'Recipient country' },
    channel: { type: 'string' },
    type: { type: 'string' },
    correlationId: { type: 'string' },
    sourceLedgerId: { type: 'string', format: 'uuid', description: 'The inbound message the delivery results from' },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
    before: { type: 'string', pattern: '^[0-9]+$', description: 'Cursor: the seq of the last item of the previous page' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const;
export const toDeliveryFilter = (q: DeliveryQuery, limit: number, at: string): DeliveryFilter => ({
  status: q.status,
  country: q.country,
  channel: q.channel,
  type: q.type,
  correlationId: q.correlationId,
  sourceLedgerId: q.sourceLedgerId,
  from: filterTime(q.from, `${at}/from`),
  to: filterTime(q.to, `${at}/to`),
  before: q.before,
  limit,
});


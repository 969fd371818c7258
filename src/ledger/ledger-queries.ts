import { sql, type Kysely } from 'kysely';
import type { Database, MessageStatus } from '../db/database-types.js';
import { uuidv7Time } from '../ids/uuidv7.js';
import { normaliseKeyValue } from '../messages/message-types.js';

/** Read side of the ledger: what admins and senders see. Raw bytes are never listed, only fetched by id. */

export interface MessageView {
  ledgerId: string;
  messageId: string | null;
  type: string | null;
  status: MessageStatus;
  channel: string;
  format: string;
  contentType: string;
  sender: { country: string | null; agency: string | null };
  correlationId: string | null;
  receivedAt: string;
  sentAt: string | null;
  sizeBytes: number;
  businessKeys: string[];
  errors: unknown[];
  attempts: number;
  lastError: string | null;
  replayOf: string | null;
}

const VIEW_COLUMNS = [
  'id', 'message_id', 'type', 'status', 'channel', 'format', 'content_type', 'sender_country', 'sender_agency', 'correlation_id',
  'received_at', 'sent_at', 'size_bytes', 'business_keys', 'errors', 'attempts', 'last_error', 'replay_of',
] as const;

type ViewRow = {
  id: string; message_id: string | null; type: string | null; status: MessageStatus; channel: string; format: string; content_type: string;
  sender_country: string | null; sender_agency: string | null; correlation_id: string | null; received_at: Date; sent_at: Date | null;
  size_bytes: number; business_keys: string[]; errors: unknown; attempts: number; last_error: string | null; replay_of: string | null;
};

function toView(r: ViewRow): MessageView {
  return {
    ledgerId: r.id,
    messageId: r.message_id,
    type: r.type,
    status: r.status,
    channel: r.channel,
    format: r.format,
    contentType: r.content_type,
    sender: { country: r.sender_country, agency: r.sender_agency },
    correlationId: r.correlation_id,
    receivedAt: r.received_at.toISOString(),
    sentAt: r.sent_at ? r.sent_at.toISOString() : null,
    sizeBytes: r.size_bytes,
    businessKeys: r.business_keys,
    errors: Array.isArray(r.errors) ? r.errors : [],
    attempts: r.attempts,
    lastError: r.last_error,
    replayOf: r.replay_of,
  };
}

export async function getMessage(db: Kysely<Database>, ledgerId: string): Promise<MessageView | undefined> {
  // The id carries its receipt time, which names the partition: no scan of every month.
  const receivedAt = uuidv7Time(ledgerId);
  const row = await db
    .selectFrom('ledger_messages')
    .select(VIEW_COLUMNS)
    .where('id', '=', ledgerId)
    .where('received_at', '=', receivedAt)
    .executeTakeFirst();
  return row ? toView(row as unknown as ViewRow) : undefined;
}

export async function getRaw(db: Kysely<Database>, ledgerId: string): Promise<{ raw: Buffer; contentType: string } | undefined> {
  const row = await db.selectFrom('ledger_messages').select(['raw', 'content_type']).where('id', '=', ledgerId).where('received_at', '=', uuidv7Time(ledgerId)).executeTakeFirst();
  return row ? { raw: row.raw, contentType: row.content_type } : undefined;
}

export interface LineageEvent {
  at: string;
  stage: string;
  event: string;
  reason: string | null;
  detail: unknown;
  actor: string | null;
}

export async function getLineage(db: Kysely<Database>, ledgerId: string): Promise<LineageEvent[]> {
  const row = await db.selectFrom('ledger_messages').select('lineage').where('id', '=', ledgerId).where('received_at', '=', uuidv7Time(ledgerId)).executeTakeFirst();
  const events = Array.isArray(row?.lineage) ? (row.lineage as Partial<LineageEvent>[]) : [];
  return events.map((e) => ({
    at: new Date(e.at as string).toISOString(),
    stage: e.stage ?? '',
    event: e.event ?? '',
    reason: e.reason ?? null,
    detail: e.detail ?? null,
    actor: e.actor ?? null,
  }));
}

export async function getReplays(db: Kysely<Database>, ledgerId: string): Promise<{ ledgerId: string; status: string; receivedAt: string }[]> {
  const rows = await db.selectFrom('ledger_messages').select(['id', 'status', 'received_at']).where('replay_of', '=', ledgerId).orderBy('received_at').execute();
  return rows.map((r) => ({ ledgerId: r.id, status: r.status, receivedAt: (r.received_at as Date).toISOString() }));
}

export async function getOutboundOf(db: Kysely<Database>, ledgerId: string) {
  const rows = await db
    .selectFrom('outbox')
    .select(['id', 'type', 'recipient_country', 'recipient_agency', 'channel', 'status', 'attempts', 'last_error', 'created_at', 'delivered_at', 'acked_at'])
    .where('source_ledger_id', '=', ledgerId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    recipient: { country: r.recipient_country, agency: r.recipient_agency },
    channel: r.channel,
    status: r.status,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: (r.created_at as Date).toISOString(),
    deliveredAt: r.delivered_at ? (r.delivered_at as Date).toISOString() : null,
    ackedAt: r.acked_at ? (r.acked_at as Date).toISOString() : null,
  }));
}

export interface MessageFilter {
  status?: MessageStatus | 'failing' | undefined;
  senderCountry?: string | undefined;
  senderAgency?: string | undefined;
  type?: string | undefined;
  serial?: string | undefined;
  correlationId?: string | undefined;
  messageId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Cursor: ledger ids sort by time, so "after this id" pages newest-first without offsets. */
  before?: string | undefined;
  /** Oldest first (a bulk replay works through a backlog in the order it arrived); newest first otherwise. */
  oldestFirst?: boolean;
  limit: number;
}

/**
 * "The message about serial X from country Y last week" is one indexed query: business keys are a
 * GIN-indexed array, sender and time a btree, and the time range prunes partitions.
 */
export async function findMessages(db: Kysely<Database>, f: MessageFilter): Promise<MessageView[]> {
  let q = db.selectFrom('ledger_messages').select(VIEW_COLUMNS);
  if (f.status === 'failing') q = q.where('status', '=', 'validated').where('attempts', '>', 0);
  else if (f.status) q = q.where('status', '=', f.status);
  if (f.senderCountry) q = q.where('sender_country', '=', f.senderCountry);
  if (f.senderAgency) q = q.where('sender_agency', '=', f.senderAgency);
  if (f.type) q = q.where('type', '=', f.type);
  if (f.correlationId) q = q.where('correlation_id', '=', f.correlationId);
  if (f.messageId) q = q.where('message_id', '=', f.messageId);
  if (f.serial) q = q.where(sql<boolean>`business_keys @> ${[`serial:${normaliseKeyValue(f.serial)}`]}::text[]`);
  if (f.from) q = q.where('received_at', '>=', f.from);
  if (f.to) q = q.where('received_at', '<', f.to);
  if (f.before) q = q.where('id', '<', f.before).where('received_at', '<=', uuidv7Time(f.before));
  const order = f.oldestFirst ? 'asc' : 'desc';
  const rows = await q.orderBy('received_at', order).orderBy('id', order).limit(f.limit).execute();
  return rows.map((r) => toView(r as unknown as ViewRow));
}

import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import type { TraceAttachment } from '../messages/generated-types.js';
import { attachmentHref } from './trace-attachments.js';
import type { TraceRow } from './trace-notifications.js';
import type { FollowUpLink, TraceEventRow } from './trace-views.js';

/** A request with its whole thread, the files of each event, and its follow-ups: what GET /v1/trace-requests/{id} shows. */
export interface TraceDetail {
  trace: TraceRow;
  events: TraceEventRow[];
  attachmentsByEvent: Map<string, TraceAttachment[]>;
  followUps: FollowUpLink[];
}

export async function loadTrace(db: Kysely<Database>, id: string): Promise<TraceRow | undefined> {
  return (await db.selectFrom('trace_requests').selectAll().where('id', '=', id).executeTakeFirst()) as TraceRow | undefined;
}

export async function loadTraceDetail(db: Kysely<Database>, trace: TraceRow): Promise<TraceDetail> {
  const [events, links, followUps] = await Promise.all([
    db.selectFrom('trace_events').selectAll().where('trace_id', '=', trace.id).orderBy('seq').execute(),
    sql<{ event_id: string; sha256: Buffer; caption: string | null; content_type: string; size_bytes: number }>`
      select l.event_id, l.sha256, l.caption, a.content_type, a.size_bytes
      from trace_attachment_links l join trace_attachments a on a.sha256 = l.sha256
      where l.trace_id = ${trace.id} order by l.event_id, l.position`.execute(db),
    db.selectFrom('trace_requests').select(['id', 'request_reference', 'addressed_country', 'status']).where('follow_up_of', '=', trace.id).orderBy('id').execute(),
  ]);
  const attachmentsByEvent = new Map<string, TraceAttachment[]>();
  for (const l of links.rows) {
    const hex = l.sha256.toString('hex');
    const list = attachmentsByEvent.get(l.event_id) ?? [];
    list.push({ sha256: hex, contentType: l.content_type, size: l.size_bytes, ...(l.caption ? { caption: l.caption } : {}), href: attachmentHref(hex) });
    attachmentsByEvent.set(l.event_id, list);
  }
  return {
    trace,
    events: events as TraceEventRow[],
    attachmentsByEvent,
    followUps: followUps.map((f) => ({ id: f.id, requestReference: f.request_reference, addressedCountry: f.addressed_country, status: f.status })),
  };
}

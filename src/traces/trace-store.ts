import { createHash } from 'node:crypto';
import type { Kysely, Updateable } from 'kysely';
import type { LoadedConfig } from '../config/load-config.js';
import type { Database, TraceEventKind, TraceRequestsTable } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import { uuidv7 } from '../ids/uuidv7.js';
import type { Party, TraceAttachment, TraceComment, TraceRequest, TraceResponse, TraceStatus, TraceStatusUpdate } from '../messages/generated-types.js';
import { serialKeys } from '../serials/serial-keys.js';
import { linkAttachments, resolveAttachmentRefs } from './trace-attachments.js';
import { computeDueDates, deadlineRules, isOverdue } from './trace-deadlines.js';
import { planTransition, type TraceParty, type TraceStep } from './trace-lifecycle.js';
import {
  commentedPayload,
  followUpPayload,
  requestedPayload,
  respondedPayload,
  statusChangedPayload,
  type Outbound,
  type TraceRow,
} from './trace-notifications.js';
import { otherSide, partyOf, sideRecipient, type NcbOf } from './trace-parties.js';

/**
 * Writes of trace requests, each inside the apply transaction of the message that asks for it:
 * the request row is locked, the move is checked against the lifecycle and the parties, the
 * thread gets its events, and the messages for the other side are returned for the handler to
 * route in the same transaction. Nothing here knows which channel the message came from.
 */
export interface TraceWriteContext {
  config: LoadedConfig;
  ncbOf: NcbOf;
  isPartner(country: string): boolean;
  now: Date;
}

type Side = Exclude<TraceParty, 'hub'>;

export interface TraceEventInput {
  kind: TraceEventKind;
  party: TraceParty;
  actor: Party;
  from?: TraceStatus | null;
  to?: TraceStatus | null;
  body?: Record<string, unknown>;
  ledgerId?: string | null;
  attachments?: readonly TraceAttachment[];
}

/** Appends events to a request's thread (the row must be locked); returns their ids in order. */
export async function appendEvents(db: Kysely<Database>, trace: { id: string; event_count: number }, events: readonly TraceEventInput[], at: Date): Promise<string[]> {
  const ids: string[] = [];
  let seq = trace.event_count;
  for (const e of events) {
    // Ids come from the real clock even when `at` is not now (a test clock, a delivery time): v7 ids stay monotonic.
    const id = uuidv7();
    seq += 1;
    await db
      .insertInto('trace_events')
      .values({
        id,
        trace_id: trace.id,
        seq,
        at,
        kind: e.kind,
        party: e.party,
        actor_country: e.actor.country,
        actor_agency: e.actor.agency,
        from_status: e.from ?? null,
        to_status: e.to ?? null,
        body: JSON.stringify(e.body ?? {}),
        ledger_id: e.ledgerId ?? null,
      })
      .execute();
    if (e.attachments?.length) await linkAttachments(db, trace.id, id, e.attachments);
    ids.push(id);
  }
  await db.updateTable('trace_requests').set({ event_count: seq }).where('id', '=', trace.id).execute();
  trace.event_count = seq;
  return ids;
}

/** Updates a locked request and returns it as it now stands, with `overdue` recomputed. */
export async function updateTrace(db: Kysely<Database>, current: TraceRow, patch: Updateable<TraceRequestsTable>, now: Date): Promise<TraceRow> {
  const next = { ...current, ...patch } as TraceRow;
  const overdue = isOverdue(next);
  return (await db
    .updateTable('trace_requests')
    .set({ ...patch, overdue, updated_at: now })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow()) as TraceRow;
}

/** JSON with object keys sorted, so the same request sent with its fields in another order hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface TraceRef {
  traceId?: string | undefined;
  requestReference?: string | undefined;
}

/**
 * Loads and locks the request a message names, and says which side the sender is on. A request
 * the sender is no side of is "not found": its existence is not the sender's business. A
 * requestReference names one of the sender country's own requests.
 */
export async function loadForAction(db: Kysely<Database>, ref: TraceRef, actor: Party, ncbOf: NcbOf): Promise<{ trace: TraceRow; party: Side }> {
  if (!ref.traceId && !ref.requestReference) {
    throw new HubError('VALIDATION_FAILED', 'the message names no trace request', [{ pointer: '/payload/traceId', code: 'schema.required', message: 'is required (the requester may give requestReference instead)' }]);
  }
  let q = db.selectFrom('trace_requests').selectAll();
  q = ref.traceId ? q.where('id', '=', ref.traceId) : q.where('requester_country', '=', actor.country).where('request_reference', '=', ref.requestReference!);
  const trace = (await q.forUpdate().executeTakeFirst()) as TraceRow | undefined;
  const party = trace ? partyOf(trace, actor, ncbOf) : null;
  if (!trace || !party) {
    const what = ref.traceId ? `trace request ${ref.traceId}` : `trace request with reference ${ref.requestReference} from ${actor.country}`;
    throw new HubError('NOT_FOUND', `no ${what} of which ${actor.country}/${actor.agency} is a side`, [
      { pointer: ref.traceId ? '/payload/traceId' : '/payload/requestReference', code: 'trace.not-found', message: `no such trace request for ${actor.country}/${actor.agency}` },
    ]);
  }
  return { trace, party };
}

const STATUS_TIMESTAMPS: Partial<Record<TraceStatus, keyof TraceRequestsTable>> = {
  DELIVERED: 'delivered_at',
  ACKNOWLEDGED: 'acknowledged_at',
  IN_PROGRESS: 'in_progress_at',
  CLOSED: 'finished_at',
  CANCELLED: 'finished_at',
  REJECTED: 'finished_at',
};

function stepPatch(trace: TraceRow, steps: readonly TraceStep[], now: Date): Updateable<TraceRequestsTable> {
  const patch: Record<string, unknown> = { status: steps.at(-1)!.to };
  for (const s of steps) {
    const col = STATUS_TIMESTAMPS[s.to];
    if (col && !trace[col]) patch[col] = now;
  }
  return patch as Updateable<TraceRequestsTable>;
}

function hubParty(config: LoadedConfig): Party {
  return { country: config.hub.identity.country, agency: config.hub.identity.agency };
}

/** The notification of each step to the side that did not make it (both sides for the hub's own steps). */
function stepNotices(config: LoadedConfig, trace: TraceRow, steps: readonly TraceStep[], actor: Party, now: Date, reason?: { reason?: string | undefined; reasonCode?: string | undefined }): Outbound[] {
  const out: Outbound[] = [];
  for (const s of steps) {
    if (s.by === 'hub') {
      // Delivery concerns the requester; the addressee is the one acting right now.
      out.push({ to: sideRecipient(trace, 'requester'), type: 'trace.status-changed', payload: statusChangedPayload(trace, s, hubParty(config), now) });
      continue;
    }
    out.push({ to: sideRecipient(trace, otherSide(s.by)), type: 'trace.status-changed', payload: statusChangedPayload(trace, s, actor, now, reason), sender: actor });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// trace.request

export interface SubmitResult {
  outcome: 'created' | 'unchanged';
  trace: TraceRow;
  outbound: Outbound[];
}

async function checkFollowUp(db: Kysely<Database>, request: TraceRequest, sender: Party, ncbOf: NcbOf): Promise<TraceRow | undefined> {
  if (!request.followUpOf) return undefined;
  const parent = (await db.selectFrom('trace_requests').selectAll().where('id', '=', request.followUpOf).forUpdate().executeTakeFirst()) as TraceRow | undefined;
  const fail = (message: string): never => {
    throw new HubError('VALIDATION_FAILED', `followUpOf: ${message}`, [{ pointer: '/payload/followUpOf', code: 'trace.follow-up', message }]);
  };
  if (!parent || partyOf(parent, sender, ncbOf) !== 'requester') return fail(`no trace request ${request.followUpOf} sent by ${sender.country}/${sender.agency}`);
  if (!parent.last_response_at) return fail(`trace request ${parent.id} has no response yet; a follow-up asks a country its response named`);
  const latest = await db
    .selectFrom('trace_events')
    .select('body')
    .where('trace_id', '=', parent.id)
    .where('kind', '=', 'response')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const named = new Set(((latest.body as TraceResponse).chainOfCustody ?? []).map((h) => h.country));
  named.delete(parent.addressed_country);
  if (!named.has(request.addressedTo.country)) {
    fail(`the response to ${parent.id} names no holder in ${request.addressedTo.country}${named.size ? ` (it names ${[...named].sort().join(', ')})` : ' (it names no other country)'}`);
  }
  return parent;
}

export async function submitTrace(db: Kysely<Database>, w: TraceWriteContext, args: { request: TraceRequest; sender: Party; ledgerId: string; correlationId: string | null }): Promise<SubmitResult> {
  const { request, sender } = args;
  const { now, config } = w;
  const to = request.addressedTo.country;
  if (to === sender.country) {
    throw new HubError('VALIDATION_FAILED', 'a country does not send trace requests to itself', [{ pointer: '/payload/addressedTo/country', code: 'trace.self', message: `is the requesting country, ${sender.country}` }]);
  }
  if (!w.isPartner(to)) {
    throw new HubError('VALIDATION_FAILED', `${to} is not a partner country of the hub`, [{ pointer: '/payload/addressedTo/country', code: 'trace.unknown-country', message: `${to} is not a partner country of the hub` }]);
  }
  const hash = createHash('sha256').update(canonicalJson(request)).digest();
  const existing = (await db
    .selectFrom('trace_requests')
    .selectAll()
    .where('requester_country', '=', sender.country)
    .where('request_reference', '=', request.requestReference)
    .forUpdate()
    .executeTakeFirst()) as TraceRow | undefined;
  if (existing) {
    // A reference is the country's, but the request is its sender's: another agency of the country
    // learns nothing of it, not even its id, only that the reference is taken.
    if (partyOf(existing, sender, w.ncbOf) !== 'requester') {
      const detail = `requestReference ${request.requestReference} is already used by another agency of ${sender.country}; choose another`;
      throw new HubError('CONFLICT', detail, [{ pointer: '/payload/requestReference', code: 'trace.reference-taken', message: detail }]);
    }
    if (existing.content_hash.equals(hash)) return { outcome: 'unchanged', trace: existing, outbound: [] };
    const detail = `requestReference ${request.requestReference} is trace request ${existing.id}, sent with other content; a sent request is not changed: comment on it, or cancel it and send a new one`;
    throw new HubError('CONFLICT', detail, [{ pointer: '/payload/requestReference', code: 'trace.reference-taken', message: detail }], { traceId: existing.id });
  }
  const attachments = await resolveAttachmentRefs(db, request.attachments, sender.country, '/payload/attachments');
  const parent = await checkFollowUp(db, request, sender, w.ncbOf);

  const due = computeDueDates(deadlineRules(config, to, request.priority), now);
  const f = request.firearm;
  const keys = [...new Set(f.serials.map((s) => serialKeys(s.value).normalised).filter(Boolean))];
  const id = uuidv7();
  const inserted = (await db
    .insertInto('trace_requests')
    .values({
      id,
      requester_country: sender.country,
      requester_agency: sender.agency,
      request_reference: request.requestReference,
      addressed_country: to,
      addressed_agency: request.addressedTo.agency ?? null,
      addressed_as: request.addressedTo.as ?? null,
      status: 'SUBMITTED',
      priority: request.priority,
      crime_category: request.crimeCategory,
      case_reference: request.caseReference,
      serial: f.serials[0]!.value,
      serial_keys: keys,
      make: f.make,
      model: f.model ?? null,
      calibre: f.calibre,
      firearm_type: f.type,
      country_of_manufacture: f.countryOfManufacture ?? null,
      request: JSON.stringify(request),
      content_hash: hash,
      follow_up_of: parent?.id ?? null,
      seizure_reference: request.seizureReference ?? null,
      outcome: null,
      not_completed_reason: null,
      correlation_id: args.correlationId,
      ledger_id: args.ledgerId,
      submitted_at: now,
      delivered_at: null,
      acknowledged_at: null,
      in_progress_at: null,
      responded_at: null,
      last_response_at: null,
      finished_at: null,
      ack_due_at: due.ackDueAt,
      ack_remind_at: due.ackRemindAt,
      response_due_at: due.responseDueAt,
      response_remind_at: due.responseRemindAt,
      ack_reminded_at: null,
      response_reminded_at: null,
      ack_overdue_at: null,
      response_overdue_at: null,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow()) as TraceRow;
  await appendEvents(db, inserted, [{ kind: 'submitted', party: 'requester', actor: sender, to: 'SUBMITTED', ledgerId: args.ledgerId, attachments, body: parent ? { followUpOf: parent.id } : {} }], now);

  const outbound: Outbound[] = [{ to: sideRecipient(inserted, 'addressee'), type: 'trace.requested', payload: requestedPayload(inserted, attachments), sender }];
  if (parent) {
    await appendEvents(db, parent, [{ kind: 'follow-up', party: 'requester', actor: sender, ledgerId: args.ledgerId, body: { followUpTraceId: id, addressedTo: to, requestReference: request.requestReference } }], now);
    outbound.push({ to: sideRecipient(parent, 'addressee'), type: 'trace.follow-up', payload: followUpPayload(parent, inserted, sender, now), sender });
  }
  return { outcome: 'created', trace: inserted, outbound };
}

// ---------------------------------------------------------------------------------------------
// trace.status

export interface ChangeResult {
  trace: TraceRow;
  steps: TraceStep[];
  outbound: Outbound[];
}

export async function changeTraceStatus(db: Kysely<Database>, w: TraceWriteContext, args: { update: TraceStatusUpdate; actor: Party; ledgerId: string }): Promise<ChangeResult> {
  const { update, actor } = args;
  const { trace, party } = await loadForAction(db, update, actor, w.ncbOf);
  if (update.reasonCode && update.status !== 'REJECTED') {
    throw new HubError('VALIDATION_FAILED', 'reasonCode goes with a rejection', [{ pointer: '/payload/reasonCode', code: 'trace.reason-code', message: `is for REJECTED, not ${update.status}` }]);
  }
  const steps = planTransition(trace.status, update.status, party);
  const reason = { reason: update.reason, reasonCode: update.reasonCode };
  await appendEvents(
    db,
    trace,
    steps.map((s) => ({
      kind: 'status' as const,
      party: s.by,
      actor: s.by === 'hub' ? hubParty(w.config) : actor,
      from: s.from,
      to: s.to,
      ledgerId: args.ledgerId,
      body: s.by === 'hub' ? { implied: 'the addressee acted on the request, so it was delivered' } : { ...(update.reason ? { reason: update.reason } : {}), ...(update.reasonCode ? { reasonCode: update.reasonCode } : {}) },
    })),
    w.now,
  );
  const next = await updateTrace(db, trace, stepPatch(trace, steps, w.now), w.now);
  return { trace: next, steps, outbound: stepNotices(w.config, next, steps, actor, w.now, reason) };
}

// ---------------------------------------------------------------------------------------------
// trace.response

function checkResponse(r: TraceResponse): void {
  const hops = r.chainOfCustody ?? [];
  const at = r.pointOfDiversion?.afterHop;
  if (at !== undefined && at >= hops.length) {
    throw new HubError('VALIDATION_FAILED', 'pointOfDiversion.afterHop names no hop', [{ pointer: '/payload/pointOfDiversion/afterHop', code: 'trace.hop', message: `is ${at}, but chainOfCustody has ${hops.length} hop(s)` }]);
  }
  if (r.notCompletedReason && r.outcome !== 'NOT_COMPLETED' && r.outcome !== 'PARTIAL') {
    throw new HubError('VALIDATION_FAILED', 'notCompletedReason goes with NOT_COMPLETED or PARTIAL', [{ pointer: '/payload/notCompletedReason', code: 'trace.reason', message: `does not go with outcome ${r.outcome}` }]);
  }
}

export async function respondToTrace(db: Kysely<Database>, w: TraceWriteContext, args: { response: TraceResponse; actor: Party; ledgerId: string }): Promise<ChangeResult & { responseId: string }> {
  const { response, actor } = args;
  const { trace, party } = await loadForAction(db, response, actor, w.ncbOf);
  const steps = planTransition(trace.status, 'RESPONDED', party, '/payload/outcome');
  checkResponse(response);
  const attachments = await resolveAttachmentRefs(db, response.attachments, actor.country, '/payload/attachments');
  const { traceId: _traceId, attachments: _refs, ...body } = response;
  const [responseId] = await appendEvents(
    db,
    trace,
    [{ kind: 'response', party: 'addressee', actor, from: trace.status, to: 'RESPONDED', ledgerId: args.ledgerId, body, attachments }],
    w.now,
  );
  const next = await updateTrace(
    db,
    trace,
    { status: 'RESPONDED', responded_at: trace.responded_at ?? w.now, last_response_at: w.now, outcome: response.outcome, not_completed_reason: response.notCompletedReason ?? null },
    w.now,
  );
  return {
    trace: next,
    steps,
    responseId: responseId!,
    outbound: [{ to: sideRecipient(next, 'requester'), type: 'trace.responded', payload: respondedPayload(next, responseId!, body, actor, w.now, attachments), sender: actor }],
  };
}

// ---------------------------------------------------------------------------------------------
// trace.comment

export async function commentOnTrace(db: Kysely<Database>, w: TraceWriteContext, args: { comment: TraceComment; actor: Party; ledgerId: string }): Promise<{ trace: TraceRow; commentId: string; outbound: Outbound[] }> {
  const { comment, actor } = args;
  const { trace, party } = await loadForAction(db, comment, actor, w.ncbOf);
  const attachments = await resolveAttachmentRefs(db, comment.attachments, actor.country, '/payload/attachments');
  const [commentId] = await appendEvents(db, trace, [{ kind: 'comment', party, actor, ledgerId: args.ledgerId, body: { text: comment.text }, attachments }], w.now);
  const next = await updateTrace(db, trace, {}, w.now);
  return {
    trace: next,
    commentId: commentId!,
    outbound: [{ to: sideRecipient(next, otherSide(party)), type: 'trace.commented', payload: commentedPayload(next, commentId!, comment.text, actor, party, w.now, attachments), sender: actor }],
  };
}

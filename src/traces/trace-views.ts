import type { Selectable } from 'kysely';
import type { TraceEventsTable } from '../db/database-types.js';
import type { TraceAttachment } from '../messages/generated-types.js';
import { deadlineView } from './trace-deadlines.js';
import { actionsFor, type TraceParty } from './trace-lifecycle.js';
import { addresseeOf, requesterOf, type TraceRow } from './trace-notifications.js';

/**
 * Trace requests as the API shows them. Both sides see the same request and thread; what differs
 * is `role` (which side the caller is) and `actions` (what the caller may do next).
 */
export type TraceEventRow = Selectable<TraceEventsTable>;

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

export function traceSummary(t: TraceRow, role: Exclude<TraceParty, 'hub'> | null) {
  return {
    id: t.id,
    requestReference: t.request_reference,
    ...(role ? { direction: role === 'requester' ? ('outgoing' as const) : ('incoming' as const), role } : {}),
    status: t.status,
    priority: t.priority,
    requester: requesterOf(t),
    addressedTo: addresseeOf(t),
    caseReference: t.case_reference,
    crimeCategory: t.crime_category,
    firearm: { serial: t.serial, make: t.make, model: t.model, calibre: t.calibre, type: t.firearm_type, countryOfManufacture: t.country_of_manufacture },
    submittedAt: t.submitted_at.toISOString(),
    deliveredAt: iso(t.delivered_at),
    acknowledgedAt: iso(t.acknowledged_at),
    inProgressAt: iso(t.in_progress_at),
    respondedAt: iso(t.responded_at),
    lastResponseAt: iso(t.last_response_at),
    finishedAt: iso(t.finished_at),
    outcome: t.outcome,
    notCompletedReason: t.not_completed_reason,
    deadlines: deadlineView(t),
    overdue: t.overdue,
    followUpOf: t.follow_up_of,
    seizureReference: t.seizure_reference,
    updatedAt: t.updated_at.toISOString(),
  };
}

export function eventView(e: TraceEventRow, attachments: readonly TraceAttachment[]) {
  const body = (e.body ?? {}) as Record<string, unknown>;
  const base = {
    id: e.id,
    seq: e.seq,
    at: e.at.toISOString(),
    kind: e.kind,
    role: e.party,
    by: { country: e.actor_country, agency: e.actor_agency },
    ...(e.from_status ? { from: e.from_status } : {}),
    ...(e.to_status ? { to: e.to_status } : {}),
    ledgerId: e.ledger_id,
  };
  if (e.kind === 'response') return { ...base, response: body, attachments };
  if (e.kind === 'comment') return { ...base, text: body.text, attachments };
  return { ...base, ...body, ...(attachments.length ? { attachments } : {}) };
}

export interface FollowUpLink {
  id: string;
  requestReference: string;
  addressedCountry: string;
  status: string;
}

export function traceView(
  t: TraceRow,
  role: Exclude<TraceParty, 'hub'> | null,
  events: readonly TraceEventRow[],
  attachmentsByEvent: ReadonlyMap<string, TraceAttachment[]>,
  followUps: readonly FollowUpLink[],
) {
  const request = t.request as Record<string, unknown>;
  return {
    ...traceSummary(t, role),
    request,
    attachments: attachmentsByEvent.get(events.find((e) => e.kind === 'submitted')?.id ?? '') ?? [],
    actions: actionsFor(t.status, role),
    followUps,
    thread: events.map((e) => eventView(e, attachmentsByEvent.get(e.id) ?? [])),
  };
}

export type TraceView = ReturnType<typeof traceView>;

/** Flat columns of an export; one definition for CSV, XLSX and the header of both. */
export const EXPORT_COLUMNS = [
  'id', 'requestReference', 'status', 'priority', 'requesterCountry', 'requesterAgency', 'addressedCountry', 'addressedAgency', 'caseReference',
  'crimeCategory', 'serial', 'make', 'model', 'calibre', 'type', 'countryOfManufacture', 'submittedAt', 'acknowledgeBy', 'acknowledgedAt',
  'respondBy', 'respondedAt', 'finishedAt', 'outcome', 'notCompletedReason', 'overdue', 'followUpOf',
] as const;

export type ExportCell = string | Date | boolean | null;

export function exportRow(t: TraceRow): ExportCell[] {
  return [
    t.id, t.request_reference, t.status, t.priority, t.requester_country, t.requester_agency, t.addressed_country, t.addressed_agency, t.case_reference,
    t.crime_category, t.serial, t.make, t.model, t.calibre, t.firearm_type, t.country_of_manufacture, t.submitted_at, t.ack_due_at, t.acknowledged_at,
    t.response_due_at, t.responded_at, t.finished_at, t.outcome, t.not_completed_reason, t.overdue, t.follow_up_of,
  ];
}

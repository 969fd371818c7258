import type { Selectable } from 'kysely';
import type { TraceRequestsTable } from '../db/database-types.js';
import type {
  Party,
  Recipient,
  TraceAddressee,
  TraceAttachment,
  TraceCommented,
  TraceDeadline,
  TraceFollowUp,
  TraceRequest,
  TraceRequested,
  TraceResponded,
  TraceResponse,
  TraceStatusChanged,
} from '../messages/generated-types.js';
import { deadlineView } from './trace-deadlines.js';
import type { TraceParty, TraceStep } from './trace-lifecycle.js';

/**
 * The messages the hub sends about a trace request, built from the request's row as it stands
 * after the change. Every event goes to the other side over that side's own reply channel; the
 * payload types are generated from schemas/messages/trace.*.schema.json (direction outbound).
 */
export type TraceRow = Selectable<TraceRequestsTable>;

export interface Outbound {
  to: Recipient;
  type: string;
  payload: Record<string, unknown>;
  /** The acting agency; the hub's own identity when absent. */
  sender?: Party;
}

export function addresseeOf(t: TraceRow): TraceAddressee {
  return {
    country: t.addressed_country,
    ...(t.addressed_agency ? { agency: t.addressed_agency } : {}),
    ...(t.addressed_as ? { as: t.addressed_as as NonNullable<TraceAddressee['as']> } : {}),
  };
}

export function requesterOf(t: TraceRow): Party {
  return { country: t.requester_country, agency: t.requester_agency };
}

function asPayload<T extends object>(p: T): Record<string, unknown> {
  return p as unknown as Record<string, unknown>;
}

export function requestedPayload(t: TraceRow, attachments: readonly TraceAttachment[]): Record<string, unknown> {
  const r = t.request as TraceRequest;
  const p: TraceRequested = {
    traceId: t.id,
    requestReference: t.request_reference,
    status: t.status,
    requester: requesterOf(t),
    addressedTo: addresseeOf(t),
    submittedAt: t.submitted_at.toISOString(),
    deadlines: deadlineView(t),
    firearm: r.firearm,
    illicitNature: r.illicitNature,
    recovery: r.recovery,
    intendedUse: r.intendedUse,
    priority: r.priority,
    ...(r.urgentJustification ? { urgentJustification: r.urgentJustification } : {}),
    crimeCategory: r.crimeCategory,
    caseReference: r.caseReference,
    ...(r.contact ? { contact: r.contact } : {}),
    ...(r.specialInstructions ? { specialInstructions: r.specialInstructions } : {}),
    attachments: [...attachments],
    ...(t.follow_up_of ? { followUpOf: t.follow_up_of } : {}),
    ...(t.seizure_reference ? { seizureReference: t.seizure_reference } : {}),
  };
  return asPayload(p);
}

export function statusChangedPayload(t: TraceRow, step: TraceStep, by: Party, at: Date, reason?: { reason?: string | undefined; reasonCode?: string | undefined }): Record<string, unknown> {
  const p: TraceStatusChanged = {
    traceId: t.id,
    requestReference: t.request_reference,
    from: step.from,
    to: step.to,
    by,
    role: step.by,
    at: at.toISOString(),
    ...(reason?.reasonCode ? { reasonCode: reason.reasonCode } : {}),
    ...(reason?.reason ? { reason: reason.reason } : {}),
    deadlines: deadlineView(t),
  };
  return asPayload(p);
}

export function respondedPayload(t: TraceRow, responseId: string, response: Omit<TraceResponse, 'traceId'>, by: Party, at: Date, attachments: readonly TraceAttachment[]): Record<string, unknown> {
  const p: TraceResponded = {
    traceId: t.id,
    requestReference: t.request_reference,
    responseId,
    ...(response.responseReference ? { responseReference: response.responseReference } : {}),
    by,
    at: at.toISOString(),
    outcome: response.outcome,
    ...(response.notCompletedReason ? { notCompletedReason: response.notCompletedReason } : {}),
    ...(response.refusalGrounds ? { refusalGrounds: response.refusalGrounds } : {}),
    ...(response.explanation ? { explanation: response.explanation } : {}),
    chainOfCustody: response.chainOfCustody ?? [],
    ...(response.pointOfDiversion ? { pointOfDiversion: response.pointOfDiversion } : {}),
    ...(response.restrictions ? { restrictions: response.restrictions } : {}),
    attachments: [...attachments],
  };
  return asPayload(p);
}

export function commentedPayload(t: TraceRow, commentId: string, text: string, by: Party, role: Exclude<TraceParty, 'hub'>, at: Date, attachments: readonly TraceAttachment[]): Record<string, unknown> {
  const p: TraceCommented = { traceId: t.id, requestReference: t.request_reference, commentId, by, role, at: at.toISOString(), text, attachments: [...attachments] };
  return asPayload(p);
}

export function deadlinePayload(t: TraceRow, deadline: TraceDeadline['deadline'], phase: TraceDeadline['phase']): Record<string, unknown> {
  const p: TraceDeadline = {
    traceId: t.id,
    requestReference: t.request_reference,
    deadline,
    phase,
    dueAt: (deadline === 'acknowledgement' ? t.ack_due_at : t.response_due_at).toISOString(),
    status: t.status,
    priority: t.priority,
    requester: requesterOf(t),
    addressedTo: addresseeOf(t),
  };
  return asPayload(p);
}

export function followUpPayload(parent: TraceRow, child: TraceRow, by: Party, at: Date): Record<string, unknown> {
  const p: TraceFollowUp = {
    traceId: parent.id,
    requestReference: parent.request_reference,
    followUpTraceId: child.id,
    followUpRequestReference: child.request_reference,
    followUpAddressedTo: addresseeOf(child),
    by,
    at: at.toISOString(),
  };
  return asPayload(p);
}

import { HubError } from '../errors/hub-error.js';
import type {
  FirearmDescription,
  Party,
  TraceAddressee,
  TraceAttachmentRef,
  TraceContact,
  TraceIllicitNature,
  TraceRecovery,
  TraceRequest,
} from '../messages/generated-types.js';
import { submitOnBehalf, traceByReference, type SubmitDeps } from './trace-submission.js';

/**
 * iARMS' "redirect to trace": a seized firearm that matched no record becomes a trace request to
 * the country that can trace it (of manufacture, or of last legal import), in one step. The
 * request is built from the seizure's description and case facts and submitted on behalf of the
 * requesting agency through intake, so it is stored in the ledger and applied exactly like a
 * request the agency sent itself. Calling it again for the same seizure and country with the same
 * facts changes nothing (the request reference is derived from them).
 */
export interface SeizureTraceInput {
  /** The agency asking: the seizing agency, or its country's NCB. */
  requester: Party;
  /** The country asked; `as` says why (country of manufacture, of last legal import). */
  addressedTo: TraceAddressee;
  firearm: FirearmDescription;
  facts: {
    caseReference: string;
    /** YYYY-MM-DD */
    recoveryDate: string;
    recoveryPlace?: TraceRecovery['place'];
    circumstances: string;
    illicitBasis: TraceIllicitNature['basis'];
    legalJustification: string;
    intendedUse: string;
    crimeCategory: string;
    priority?: 'routine' | 'urgent';
    urgentJustification?: string;
    contact?: TraceContact;
    specialInstructions?: string;
  };
  /** The seizure's id; kept on the request and used for its default reference. */
  seizureReference?: string;
  /** The requester's own reference; default `SZ-<seizure or case>-<addressed country>`. */
  requestReference?: string;
  attachments?: TraceAttachmentRef[];
}

export function defaultRequestReference(input: Pick<SeizureTraceInput, 'seizureReference' | 'addressedTo' | 'facts'>): string {
  return `SZ-${input.seizureReference ?? input.facts.caseReference}-${input.addressedTo.country}`.slice(0, 100);
}

/** The trace.request payload for a seizure (pure; validated against the schema at intake). */
export function traceRequestFromSeizure(input: SeizureTraceInput): TraceRequest {
  const f = input.facts;
  const priority = f.priority ?? 'routine';
  return {
    requestReference: input.requestReference ?? defaultRequestReference(input),
    addressedTo: input.addressedTo,
    firearm: input.firearm,
    illicitNature: { basis: f.illicitBasis, legalJustification: f.legalJustification },
    recovery: { date: f.recoveryDate, ...(f.recoveryPlace ? { place: f.recoveryPlace } : {}), circumstances: f.circumstances },
    intendedUse: f.intendedUse,
    priority,
    ...(f.urgentJustification ? { urgentJustification: f.urgentJustification } : {}),
    crimeCategory: f.crimeCategory,
    caseReference: f.caseReference,
    ...(f.contact ? { contact: f.contact } : {}),
    ...(f.specialInstructions ? { specialInstructions: f.specialInstructions } : {}),
    ...(input.attachments?.length ? { attachments: input.attachments } : {}),
    ...(input.seizureReference ? { seizureReference: input.seizureReference } : {}),
  };
}

/**
 * Creates the trace request for a seizure and returns its hub id. Call it once the seizure is
 * committed (not from inside another apply transaction): the request is a message of its own.
 * Throws HubError (VALIDATION_FAILED naming each field, CONFLICT for a reference already used
 * with other content) like any rejected message.
 */
export async function createTraceFromSeizure(deps: SubmitDeps, input: SeizureTraceInput): Promise<{ traceId: string; ledgerId: string; outcome: 'created' | 'unchanged' }> {
  const request = traceRequestFromSeizure(input);
  const { ledgerId } = await submitOnBehalf(deps, input.requester, 'trace.request', request);
  const trace = await traceByReference(deps.db, input.requester.country, request.requestReference);
  if (!trace) throw new HubError('INTERNAL', `trace request ${request.requestReference} was applied but cannot be read back`);
  return { traceId: trace.id, ledgerId, outcome: trace.ledger_id === ledgerId ? 'created' : 'unchanged' };
}

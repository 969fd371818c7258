import { sql, type RawBuilder } from 'kysely';
import type { TraceParty } from './trace-lifecycle.js';

/**
 * Who is who on a trace request. The requester side is the agency that sent the request and its
 * country's National Central Bureau (which answers for the agencies it authorised, as INTERPOL's
 * data rules have it); the addressee side is the agency addressed, or, when none was named, the
 * addressed country's NCB (which may always act for its country). Anyone else does not see the
 * request at all. The rule exists twice, as a function for one request and as SQL for lists;
 * both take the NCB from the partner configuration.
 */
export interface TraceSides {
  requester_country: string;
  requester_agency: string;
  addressed_country: string;
  addressed_agency: string | null;
}

export interface Actor {
  country: string;
  agency: string;
}

/** The NCB agency code of a partner country. */
export type NcbOf = (country: string) => string | undefined;

export function partyOf(trace: TraceSides, actor: Actor, ncbOf: NcbOf): Exclude<TraceParty, 'hub'> | null {
  const isNcb = ncbOf(actor.country) === actor.agency;
  if (actor.country === trace.requester_country && (actor.agency === trace.requester_agency || isNcb)) return 'requester';
  if (actor.country === trace.addressed_country && (actor.agency === trace.addressed_agency || isNcb)) return 'addressee';
  return null;
}

export type Direction = 'incoming' | 'outgoing';

/**
 * The requests an agency sees, as a WHERE condition on trace_requests (aliased `t`): its
 * country's outgoing ones it sent (all of them for the NCB), and incoming ones addressed to it
 * (all of them for the NCB). `direction` narrows to one side.
 */
export function visibleTraces(actor: Actor, ncbOf: NcbOf, direction?: Direction, table = 't'): RawBuilder<boolean> {
  const t = sql.table(table);
  const isNcb = ncbOf(actor.country) === actor.agency;
  const outgoing = isNcb ? sql<boolean>`${t}.requester_country = ${actor.country}` : sql<boolean>`(${t}.requester_country = ${actor.country} and ${t}.requester_agency = ${actor.agency})`;
  const incoming = isNcb ? sql<boolean>`${t}.addressed_country = ${actor.country}` : sql<boolean>`(${t}.addressed_country = ${actor.country} and ${t}.addressed_agency = ${actor.agency})`;
  if (direction === 'outgoing') return outgoing;
  if (direction === 'incoming') return incoming;
  return sql<boolean>`(${outgoing} or ${incoming})`;
}

/** Where to send what concerns one side: the requesting agency, or the addressed agency (the NCB when none). */
export function sideRecipient(trace: TraceSides, side: Exclude<TraceParty, 'hub'>): { country: string; agency?: string } {
  if (side === 'requester') return { country: trace.requester_country, agency: trace.requester_agency };
  return trace.addressed_agency ? { country: trace.addressed_country, agency: trace.addressed_agency } : { country: trace.addressed_country };
}

export function otherSide(side: Exclude<TraceParty, 'hub'>): Exclude<TraceParty, 'hub'> {
  return side === 'requester' ? 'addressee' : 'requester';
}

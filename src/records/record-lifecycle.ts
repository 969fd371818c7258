import type { RecordStatus } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';

/**
 * A record's life, after NCIC's enter / modify / locate / clear / cancel: while active it can be
 * reclassified (a "lost" gun turns out stolen); LOCATED means found again after a hit, which can
 * be reversed if the hit was wrong; CLEARED (closed by the owner) and CANCELLED (entered in
 * error) are final.
 */
export const ACTIVE_STATUSES = ['LOST', 'STOLEN', 'TRAFFICKED', 'SMUGGLED', 'SEIZED_FOR_TRACING'] as const satisfies readonly RecordStatus[];
export const FINAL_STATUSES = ['CLEARED', 'CANCELLED'] as const satisfies readonly RecordStatus[];

const TRANSITIONS: Record<RecordStatus, readonly RecordStatus[]> = {
  LOST: ['STOLEN', 'TRAFFICKED', 'SMUGGLED', 'SEIZED_FOR_TRACING', 'LOCATED', 'CLEARED', 'CANCELLED'],
  STOLEN: ['LOST', 'TRAFFICKED', 'SMUGGLED', 'SEIZED_FOR_TRACING', 'LOCATED', 'CLEARED', 'CANCELLED'],
  TRAFFICKED: ['LOST', 'STOLEN', 'SMUGGLED', 'SEIZED_FOR_TRACING', 'LOCATED', 'CLEARED', 'CANCELLED'],
  SMUGGLED: ['LOST', 'STOLEN', 'TRAFFICKED', 'SEIZED_FOR_TRACING', 'LOCATED', 'CLEARED', 'CANCELLED'],
  SEIZED_FOR_TRACING: ['LOST', 'STOLEN', 'TRAFFICKED', 'SMUGGLED', 'LOCATED', 'CLEARED', 'CANCELLED'],
  LOCATED: ['LOST', 'STOLEN', 'TRAFFICKED', 'SMUGGLED', 'SEIZED_FOR_TRACING', 'CLEARED', 'CANCELLED'],
  CLEARED: [],
  CANCELLED: [],
};

export function allowedTransitions(from: RecordStatus): readonly RecordStatus[] {
  return TRANSITIONS[from];
}

export function isActive(status: RecordStatus): boolean {
  return (ACTIVE_STATUSES as readonly RecordStatus[]).includes(status);
}

/** Throws a 409 naming the transition and what is allowed from here; staying put is allowed. */
export function checkTransition(from: RecordStatus, to: RecordStatus, pointer = '/payload/status'): void {
  if (from === to || TRANSITIONS[from].includes(to)) return;
  const allowed = TRANSITIONS[from];
  const detail = `the record is ${from}; it cannot become ${to}${allowed.length ? ` (from ${from} it can become ${allowed.join(', ')})` : ` (${from} is final)`}`;
  throw new HubError('CONFLICT', detail, [{ pointer, code: 'record.transition', message: detail }], { currentStatus: from, allowed });
}

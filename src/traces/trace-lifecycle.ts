import { HubError } from '../errors/hub-error.js';
import type { TraceStatus } from '../messages/generated-types.js';

/**
 * The life of an international trace request, after eTrace and the International Tracing
 * Instrument, as an explicit state machine with who may make each move:
 *
 *   SUBMITTED --hub--> DELIVERED --addressee--> ACKNOWLEDGED --addressee--> IN_PROGRESS
 *   ACKNOWLEDGED | IN_PROGRESS --addressee--> RESPONDED --requester--> CLOSED
 *   RESPONDED --addressee--> RESPONDED (a supplementary answer, e.g. COMPLETED after PARTIAL)
 *   any state before RESPONDED --requester--> CANCELLED, --addressee--> REJECTED
 *
 * DELIVERED is the hub's to record (the request reached the addressee's channel). An addressee
 * that acts on a request the hub has not yet seen delivered has evidently received it, so the
 * delivery is recorded first, then the addressee's move: the thread always shows the full chain.
 * CLOSED, CANCELLED and REJECTED are final. Comments are allowed in every state and move nothing.
 */
export type TraceParty = 'requester' | 'addressee' | 'hub';

export const TRACE_STATUSES = ['SUBMITTED', 'DELIVERED', 'ACKNOWLEDGED', 'IN_PROGRESS', 'RESPONDED', 'CLOSED', 'CANCELLED', 'REJECTED'] as const satisfies readonly TraceStatus[];
export const FINAL_STATUSES: readonly TraceStatus[] = ['CLOSED', 'CANCELLED', 'REJECTED'];
/** While in these the addressee still owes an acknowledgement. */
export const AWAITING_ACKNOWLEDGEMENT: readonly TraceStatus[] = ['SUBMITTED', 'DELIVERED'];
/** While in these the addressee still owes an answer. */
export const AWAITING_RESPONSE: readonly TraceStatus[] = ['SUBMITTED', 'DELIVERED', 'ACKNOWLEDGED', 'IN_PROGRESS'];

export interface TraceMove {
  to: TraceStatus;
  by: TraceParty;
}

const MOVES: Record<TraceStatus, readonly TraceMove[]> = {
  SUBMITTED: [
    { to: 'DELIVERED', by: 'hub' },
    { to: 'CANCELLED', by: 'requester' },
  ],
  DELIVERED: [
    { to: 'ACKNOWLEDGED', by: 'addressee' },
    { to: 'REJECTED', by: 'addressee' },
    { to: 'CANCELLED', by: 'requester' },
  ],
  ACKNOWLEDGED: [
    { to: 'IN_PROGRESS', by: 'addressee' },
    { to: 'RESPONDED', by: 'addressee' },
    { to: 'REJECTED', by: 'addressee' },
    { to: 'CANCELLED', by: 'requester' },
  ],
  IN_PROGRESS: [
    { to: 'RESPONDED', by: 'addressee' },
    { to: 'REJECTED', by: 'addressee' },
    { to: 'CANCELLED', by: 'requester' },
  ],
  RESPONDED: [
    { to: 'RESPONDED', by: 'addressee' },
    { to: 'CLOSED', by: 'requester' },
  ],
  CLOSED: [],
  CANCELLED: [],
  REJECTED: [],
};

/** The moves the addressee may make on a SUBMITTED request (delivery is then implied). */
function impliedFromSubmitted(): TraceMove[] {
  return MOVES.DELIVERED.filter((m) => m.by === 'addressee');
}

/** Every move possible from `from`, by anyone. */
export function allowedMoves(from: TraceStatus): readonly TraceMove[] {
  return from === 'SUBMITTED' ? [...MOVES.SUBMITTED, ...impliedFromSubmitted()] : MOVES[from];
}

/** The moves `party` may make from `from`. */
export function movesFor(from: TraceStatus, party: TraceParty): TraceStatus[] {
  return allowedMoves(from)
    .filter((m) => m.by === party)
    .map((m) => m.to);
}

export function isFinal(status: TraceStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export interface TraceStep {
  from: TraceStatus;
  to: TraceStatus;
  by: TraceParty;
}

function describeMoves(moves: readonly TraceMove[]): string {
  return moves.map((m) => `${m.to} by the ${m.by}`).join(', ');
}

const ACTION_NAMES: Partial<Record<TraceStatus, string>> = {
  DELIVERED: 'record the delivery of',
  ACKNOWLEDGED: 'acknowledge',
  IN_PROGRESS: 'start work on',
  RESPONDED: 'respond to',
  CLOSED: 'close',
  CANCELLED: 'cancel',
  REJECTED: 'reject',
};

/**
 * The steps that take a request from `from` to `to` when `party` asks, or the refusal: 409 when
 * no one may make that move from the current state (naming the state and the moves there are),
 * 403 when the move exists but belongs to the other side.
 */
export function planTransition(from: TraceStatus, to: TraceStatus, party: TraceParty, pointer = '/payload/status'): TraceStep[] {
  const moves = allowedMoves(from);
  const move = moves.find((m) => m.to === to);
  if (!move) {
    const detail = `the trace request is ${from}; it cannot become ${to} (${moves.length ? `from ${from}: ${describeMoves(moves)}` : `${from} is final`})`;
    throw new HubError('CONFLICT', detail, [{ pointer, code: 'trace.transition', message: detail }], {
      currentStatus: from,
      allowed: moves.map((m) => ({ status: m.to, by: m.by })),
    });
  }
  if (move.by !== party) {
    const detail = `only the ${move.by} may ${ACTION_NAMES[to] ?? `move to ${to}`} a trace request; the caller is the ${party}`;
    throw new HubError('FORBIDDEN', detail, [{ pointer, code: 'trace.wrong-party', message: detail }], {
      currentStatus: from,
      allowed: moves.filter((m) => m.by === party).map((m) => ({ status: m.to, by: m.by })),
    });
  }
  if (from === 'SUBMITTED' && party === 'addressee') {
    return [
      { from: 'SUBMITTED', to: 'DELIVERED', by: 'hub' },
      { from: 'DELIVERED', to, by: party },
    ];
  }
  return [{ from, to, by: party }];
}

/** What a party can do next, for the views: the status moves, and whether it may respond or comment. */
export function actionsFor(status: TraceStatus, party: TraceParty | null): { statuses: TraceStatus[]; respond: boolean; comment: boolean } {
  if (!party || party === 'hub') return { statuses: [], respond: false, comment: false };
  const moves = movesFor(status, party);
  return { statuses: moves.filter((s) => s !== 'RESPONDED' && s !== 'DELIVERED'), respond: moves.includes('RESPONDED'), comment: true };
}

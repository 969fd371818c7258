import type { LoadedConfig } from '../config/load-config.js';
import { ConfigError } from '../config/config-error.js';
import type { TraceDeadlineState, TraceDeadlines, TraceStatus } from '../messages/generated-types.js';
import { AWAITING_ACKNOWLEDGEMENT, AWAITING_RESPONSE, isFinal } from './trace-lifecycle.js';

/**
 * Due dates of a trace request. The ITI asks the addressee to acknowledge "within a reasonable
 * time" and answer in a "timely" manner without fixing a number of days, so the numbers are
 * configuration: per priority in hub.json (`traces.deadlines`), overridable by the addressed
 * country's partner file (the obligations are the addressee's). Both due dates count from
 * submission and are fixed then, so a later change of configuration does not move them; each
 * has a reminder instant some hours before.
 */
export type Priority = 'routine' | 'urgent';

export interface DeadlineRule {
  withinHours: number;
  remindHoursBefore: number;
}

export interface PriorityRules {
  acknowledge: DeadlineRule;
  respond: DeadlineRule;
}

export interface DueDates {
  ackDueAt: Date;
  ackRemindAt: Date;
  responseDueAt: Date;
  responseRemindAt: Date;
}

const HOUR = 3600_000;

/** The rules that apply to a request of `priority` addressed to `country`. */
export function deadlineRules(config: LoadedConfig, country: string, priority: Priority): PriorityRules {
  const hub = config.hub.traces.deadlines[priority];
  const partner = config.partners.get(country)?.traces?.deadlines?.[priority];
  return { acknowledge: partner?.acknowledge ?? hub.acknowledge, respond: partner?.respond ?? hub.respond };
}

function at(ms: number): Date {
  return new Date(Math.round(ms));
}

export function computeDueDates(rules: PriorityRules, submittedAt: Date): DueDates {
  const t = submittedAt.getTime();
  const ackDue = t + rules.acknowledge.withinHours * HOUR;
  const responseDue = t + rules.respond.withinHours * HOUR;
  // A reminder lead longer than the deadline itself means "remind at once", never before submission.
  return {
    ackDueAt: at(ackDue),
    ackRemindAt: at(Math.max(t, ackDue - rules.acknowledge.remindHoursBefore * HOUR)),
    responseDueAt: at(responseDue),
    responseRemindAt: at(Math.max(t, responseDue - rules.respond.remindHoursBefore * HOUR)),
  };
}

export interface DeadlineFacts {
  status: TraceStatus;
  ack_due_at: Date;
  response_due_at: Date;
  acknowledged_at: Date | null;
  responded_at: Date | null;
  ack_overdue_at: Date | null;
  response_overdue_at: Date | null;
}

/**
 * Where one obligation stands. `overdue` is what the hub has flagged (the deadline task does it,
 * at the due instant); until then a past-due obligation still reads pending, so both sides see
 * the same thing the hub acted on.
 */
function stateOf(dueAt: Date, metAt: Date | null, flaggedAt: Date | null, stillOwed: boolean): TraceDeadlineState {
  // Flagged overdue before it was met is late, whatever the clocks of the two sides said.
  if (metAt) return metAt.getTime() > dueAt.getTime() || flaggedAt ? 'late' : 'met';
  if (!stillOwed) return 'moot';
  return flaggedAt ? 'overdue' : 'pending';
}

export function deadlineView(t: DeadlineFacts): TraceDeadlines {
  const acknowledgement = stateOf(t.ack_due_at, t.acknowledged_at, t.ack_overdue_at, AWAITING_ACKNOWLEDGEMENT.includes(t.status));
  const response = stateOf(t.response_due_at, t.responded_at, t.response_overdue_at, AWAITING_RESPONSE.includes(t.status));
  return {
    acknowledgeBy: t.ack_due_at.toISOString(),
    respondBy: t.response_due_at.toISOString(),
    acknowledgement,
    response,
    overdue: acknowledgement === 'overdue' || response === 'overdue',
  };
}

/** Whether a request is overdue now: an obligation flagged overdue and still not met. */
export function isOverdue(t: DeadlineFacts): boolean {
  if (isFinal(t.status)) return false;
  return deadlineView(t).overdue;
}

/** Start-up check of what the schema cannot say: a reminder must come before its due date. */
export function checkTraceConfig(config: LoadedConfig): void {
  const check = (file: string, base: string, rules: Partial<Record<Priority, Partial<PriorityRules>>> | undefined) => {
    for (const priority of ['routine', 'urgent'] as const) {
      for (const kind of ['acknowledge', 'respond'] as const) {
        const r = rules?.[priority]?.[kind];
        if (r && r.remindHoursBefore >= r.withinHours) {
          throw new ConfigError(file, [{ pointer: `${base}/${priority}/${kind}/remindHoursBefore`, message: `is ${r.remindHoursBefore}, which is not before the deadline (withinHours ${r.withinHours})` }]);
        }
      }
    }
  };
  check('config/hub.json', '/traces/deadlines', config.hub.traces.deadlines);
  for (const [cc, p] of config.partners) check(`config/partners/${cc}.json`, '/traces/deadlines', p.traces?.deadlines);
}

import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import type { LoadedConfig } from '../../src/config/load-config.js';
import type { HubConfig, PartnerConfig } from '../../src/messages/generated-types.js';
import { checkTraceConfig, computeDueDates, deadlineRules, deadlineView, isOverdue, type DeadlineFacts } from '../../src/traces/trace-deadlines.js';

const H = 3600_000;
const rule = (withinHours: number, remindHoursBefore: number) => ({ withinHours, remindHoursBefore });

function config(partners: Record<string, PartnerConfig['traces']> = {}): LoadedConfig {
  const hub = {
    traces: {
      deadlines: { routine: { acknowledge: rule(168, 48), respond: rule(2160, 336) }, urgent: { acknowledge: rule(24, 6), respond: rule(336, 72) } },
      attachmentMaxBytes: 10_485_760,
      deadlineCheckSeconds: 60,
    },
  } as unknown as HubConfig;
  return { hub, partners: new Map(Object.entries(partners).map(([cc, traces]) => [cc, { country: cc, traces } as PartnerConfig])) };
}

describe('trace deadlines', () => {
  const t0 = new Date('2026-03-02T08:00:00Z');

  it('counts both due dates from submission, with a reminder some hours before each', () => {
    expect(computeDueDates(deadlineRules(config(), 'DE', 'urgent'), t0)).toEqual({
      ackDueAt: new Date('2026-03-03T08:00:00Z'),
      ackRemindAt: new Date('2026-03-03T02:00:00Z'),
      responseDueAt: new Date('2026-03-16T08:00:00Z'),
      responseRemindAt: new Date('2026-03-13T08:00:00Z'),
    });
  });

  it('takes the addressed country\'s own rule where its partner file has one, rule by rule', () => {
    const c = config({ DE: { deadlines: { routine: { acknowledge: rule(48, 12) } } } });
    expect(deadlineRules(c, 'DE', 'routine')).toEqual({ acknowledge: rule(48, 12), respond: rule(2160, 336) });
    expect(deadlineRules(c, 'DE', 'urgent')).toEqual({ acknowledge: rule(24, 6), respond: rule(336, 72) });
    expect(deadlineRules(c, 'US', 'routine')).toEqual({ acknowledge: rule(168, 48), respond: rule(2160, 336) });
  });

  it('never puts a reminder before the submission', () => {
    const due = computeDueDates({ acknowledge: rule(1, 5), respond: rule(2, 0) }, t0);
    expect(due.ackRemindAt).toEqual(t0);
    expect(due.responseRemindAt).toEqual(due.responseDueAt);
  });

  it('stops the start when a reminder would not come before its due date, naming the file and field', () => {
    expect(() => checkTraceConfig(config())).not.toThrow();
    const err = (() => {
      try {
        checkTraceConfig(config({ FR: { deadlines: { urgent: { respond: rule(24, 24) } } } }));
      } catch (e) {
        return e as ConfigError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.file).toBe('config/partners/FR.json');
    expect(err!.problems).toEqual([{ pointer: '/traces/deadlines/urgent/respond/remindHoursBefore', message: 'is 24, which is not before the deadline (withinHours 24)' }]);
  });

  describe('where each obligation stands', () => {
    const facts = (over: Partial<DeadlineFacts>): DeadlineFacts => ({
      status: 'DELIVERED',
      ack_due_at: new Date(t0.getTime() + 24 * H),
      response_due_at: new Date(t0.getTime() + 336 * H),
      acknowledged_at: null,
      responded_at: null,
      ack_overdue_at: null,
      response_overdue_at: null,
      ...over,
    });

    it('is pending until met, or until the hub flags it overdue', () => {
      expect(deadlineView(facts({}))).toMatchObject({ acknowledgement: 'pending', response: 'pending', overdue: false });
      expect(deadlineView(facts({ ack_overdue_at: new Date(t0.getTime() + 24 * H) }))).toMatchObject({ acknowledgement: 'overdue', overdue: true });
      expect(isOverdue(facts({ ack_overdue_at: new Date() }))).toBe(true);
    });

    it('is met in time, or late when met after the due date or after the hub flagged it', () => {
      expect(deadlineView(facts({ status: 'ACKNOWLEDGED', acknowledged_at: new Date(t0.getTime() + H) })).acknowledgement).toBe('met');
      expect(deadlineView(facts({ status: 'ACKNOWLEDGED', acknowledged_at: new Date(t0.getTime() + 25 * H) })).acknowledgement).toBe('late');
      expect(deadlineView(facts({ status: 'ACKNOWLEDGED', acknowledged_at: new Date(t0.getTime() + H), ack_overdue_at: new Date(t0.getTime()) })).acknowledgement).toBe('late');
      expect(isOverdue(facts({ status: 'ACKNOWLEDGED', acknowledged_at: new Date(), ack_overdue_at: new Date() }))).toBe(false);
    });

    it('is moot once the request ends without it', () => {
      expect(deadlineView(facts({ status: 'CANCELLED', ack_overdue_at: new Date() }))).toMatchObject({ acknowledgement: 'moot', response: 'moot', overdue: false });
      expect(isOverdue(facts({ status: 'REJECTED', response_overdue_at: new Date() }))).toBe(false);
    });
  });
});

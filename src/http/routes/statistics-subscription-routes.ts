import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../errors/hub-error.js';
import type { FieldError } from '../../messages/generated-types.js';
import type { HubContext } from '../../hub.js';
import { actorName } from '../../identity/agency-repository.js';
import { uuidv7 } from '../../ids/uuidv7.js';
import { writeAudit } from '../../operations/audit-log.js';
import { lastCompletePeriod, REPORT_EVERY, type ReportEvery } from '../../statistics/report-periods.js';
import type { SubscriptionQuery } from '../../statistics/scheduled-reports.js';
import { MAX_GROUP_BY } from '../../statistics/statistics-query.js';
import { SUBJECT_MODULES, SUBJECTS, subjectDefinitions, type Subject } from '../../statistics/statistics-subjects.js';
import { authenticate, callerOf, requireScope } from '../authentication.js';
import { openObject, problemResponses, uuidParam } from '../openapi-schemas.js';

/**
 * Subscriptions to scheduled statistics reports. An agency subscribes to a table of a subject it
 * may read; the hub sends it each period's table over its reply channel (statistics.report). An
 * agency lists and cancels its own subscriptions; its NCB sees and cancels every one of its
 * country's.
 */
const MAX_SUBSCRIPTIONS_PER_AGENCY = 50;

interface SubscriptionBody {
  name: string;
  subject: Subject;
  every: ReportEvery;
  scope?: 'national' | 'global';
  groupBy?: string[];
  filters?: Record<string, string[]>;
}

const subscriptionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'subject', 'every'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    subject: { type: 'string', enum: [...SUBJECTS] },
    every: { type: 'string', enum: [...REPORT_EVERY] },
    scope: { type: 'string', enum: ['national', 'global'], default: 'national' },
    groupBy: { type: 'array', maxItems: MAX_GROUP_BY, uniqueItems: true, items: { type: 'string', maxLength: 64 }, default: [] },
    filters: { type: 'object', maxProperties: 20, additionalProperties: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 120 } }, default: {} },
  },
} as const;

interface SubscriptionRow {
  id: string;
  country: string;
  agency: string;
  name: string;
  subject: Subject;
  every: ReportEvery;
  query: unknown;
  last_period: string | null;
  created_at: Date;
  cancelled_at: Date | null;
}

function view(row: SubscriptionRow) {
  return {
    id: row.id,
    country: row.country,
    agency: row.agency,
    name: row.name,
    subject: row.subject,
    every: row.every,
    ...(row.query as unknown as SubscriptionQuery),
    lastPeriodSent: row.last_period,
    createdAt: row.created_at.toISOString(),
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
  };
}

export function statisticsSubscriptionRoutes(ctx: HubContext): FastifyPluginAsync {
  const definitions = subjectDefinitions(ctx.reference);

  return async (app) => {
    app.addHook('onRequest', authenticate(ctx.keys));

    function partnerCaller(request: Parameters<typeof callerOf>[0]) {
      const caller = callerOf(request);
      if (!caller.country) throw new HubError('FORBIDDEN', 'scheduled reports go to agencies of partner countries, over their reply channel');
      return caller as typeof caller & { country: string };
    }

    app.post<{ Body: SubscriptionBody }>(
      '/statistics-subscriptions',
      { schema: { summary: 'Subscribe to a statistics table sent every month, quarter or year over the reply channel (statistics.report)', tags: ['statistics'], body: subscriptionBody, response: { 201: openObject, ...problemResponses } } },
      async (request, reply) => {
        const caller = partnerCaller(request);
        const b = request.body;
        requireScope(caller, { module: SUBJECT_MODULES[b.subject], level: 'read' });
        const dimensions = definitions[b.subject].dimensions;
        const errors: FieldError[] = [];
        (b.groupBy ?? []).forEach((d, i) => {
          if (!Object.hasOwn(dimensions, d)) errors.push({ pointer: `/body/groupBy/${i}`, code: 'statistics.unknown-dimension', message: `${b.subject} has no dimension "${d}" (${Object.keys(dimensions).join(', ')})` });
        });
        for (const d of Object.keys(b.filters ?? {})) {
          if (!Object.hasOwn(dimensions, d)) errors.push({ pointer: `/body/filters/${d}`, code: 'statistics.unknown-dimension', message: `${b.subject} has no dimension "${d}"` });
        }
        if (errors.length) throw new HubError('BAD_REQUEST', `${errors.length} error(s) in the subscription`, errors);
        const open = await ctx.db.selectFrom('statistics_subscriptions').select((eb) => eb.fn.countAll<string>().as('n')).where('agency_id', '=', caller.agencyId).where('cancelled_at', 'is', null).executeTakeFirstOrThrow();
        if (Number(open.n) >= MAX_SUBSCRIPTIONS_PER_AGENCY) throw new HubError('CONFLICT', `an agency has at most ${MAX_SUBSCRIPTIONS_PER_AGENCY} subscriptions; cancel one first`);
        const query: SubscriptionQuery = { scope: b.scope ?? 'national', groupBy: b.groupBy ?? [], filters: b.filters ?? {} };
        const row = await ctx.db
          .insertInto('statistics_subscriptions')
          .values({ id: uuidv7(), agency_id: caller.agencyId, country: caller.country, agency: caller.agency, name: b.name, subject: b.subject, every: b.every, query: JSON.stringify(query) })
          .returningAll()
          .executeTakeFirstOrThrow();
        await writeAudit(ctx.db, { actor: actorName(caller), action: 'statistics.subscribe', target: row.id, detail: { subject: b.subject, every: b.every, ...query } });
        return reply.code(201).send({ ...view(row), firstPeriod: lastCompletePeriod(b.every, new Date()).label });
      },
    );

    app.get(
      '/statistics-subscriptions',
      { schema: { summary: "The caller's subscriptions (an NCB: its country's)", tags: ['statistics'], response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        const caller = partnerCaller(request);
        let q = ctx.db.selectFrom('statistics_subscriptions').selectAll().where('country', '=', caller.country).where('cancelled_at', 'is', null);
        if (caller.role !== 'ncb') q = q.where('agency_id', '=', caller.agencyId);
        return { items: (await q.orderBy('created_at').execute()).map(view) };
      },
    );

    app.delete<{ Params: { id: string } }>(
      '/statistics-subscriptions/:id',
      { schema: { summary: 'Cancel a subscription', tags: ['statistics'], params: uuidParam, response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        const caller = partnerCaller(request);
        const row = await ctx.db.selectFrom('statistics_subscriptions').selectAll().where('id', '=', request.params.id).where('cancelled_at', 'is', null).executeTakeFirst();
        const mine = row && row.country === caller.country && (caller.role === 'ncb' || row.agency_id === caller.agencyId);
        if (!row || !mine) throw new HubError('NOT_FOUND', `no open subscription ${request.params.id} of ${caller.country}/${caller.agency}`);
        const cancelled = await ctx.db.updateTable('statistics_subscriptions').set({ cancelled_at: new Date() }).where('id', '=', row.id).returningAll().executeTakeFirstOrThrow();
        await writeAudit(ctx.db, { actor: actorName(caller), action: 'statistics.unsubscribe', target: row.id });
        return view(cancelled);
      },
    );
  };
}

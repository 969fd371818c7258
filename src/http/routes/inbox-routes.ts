import { sql } from 'kysely';
import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../errors/hub-error.js';
import type { HubContext } from '../../hub.js';
import type { Caller } from '../../identity/agency-repository.js';
import { authenticate, callerOf } from '../authentication.js';
import { openObject, problemResponses, uuidParam } from '../openapi-schemas.js';

/**
 * The REST pull channel out. An agency collects what the hub routed to it and acknowledges each
 * item once processed; unacknowledged items stay in the inbox, so a consumer that crashes
 * mid-batch simply reads them again. Items addressed to a country as a whole go to its NCB.
 */
function visibleTo(caller: Caller) {
  return sql<boolean>`recipient_country = ${caller.country} and (recipient_agency = ${caller.agency} or (recipient_agency is null and ${caller.role === 'ncb'}))`;
}

export function inboxRoutes(ctx: HubContext): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx.keys));

    app.get<{ Querystring: { limit: number; after?: string } }>(
      '/inbox',
      {
        schema: {
          summary: 'Messages routed to the calling agency and not yet acknowledged',
          tags: ['inbox'],
          querystring: {
            type: 'object',
            properties: {
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
              after: { type: 'string', format: 'uuid', description: 'Cursor: the last id of the previous page' },
            },
          },
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        if (!caller.country) throw new HubError('FORBIDDEN', 'the inbox belongs to agencies of partner countries');
        let q = ctx.db
          .selectFrom('outbox')
          .select(['id', 'type', 'correlation_id', 'recipient_agency', 'created_at', 'delivered_at', 'envelope'])
          .where('status', '=', 'delivered')
          .where(visibleTo(caller));
        if (request.query.after) q = q.where('id', '>', request.query.after);
        const rows = await q.orderBy('id').limit(request.query.limit).execute();
        return {
          items: rows.map((r) => ({
            id: r.id,
            type: r.type,
            correlationId: r.correlation_id,
            createdAt: (r.created_at as Date).toISOString(),
            deliveredAt: r.delivered_at ? (r.delivered_at as Date).toISOString() : null,
            envelope: r.envelope,
          })),
          next: rows.length === request.query.limit ? rows.at(-1)!.id : null,
        };
      },
    );

    app.post<{ Params: { id: string } }>(
      '/inbox/:id/ack',
      {
        schema: {
          summary: 'Acknowledge an inbox item (idempotent)',
          tags: ['inbox'],
          params: uuidParam,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        if (!caller.country) throw new HubError('FORBIDDEN', 'the inbox belongs to agencies of partner countries');
        const row = await ctx.db
          .updateTable('outbox')
          .set({ status: 'acked', acked_at: sql<Date>`coalesce(acked_at, now())`, acked_by: sql<string>`coalesce(acked_by, ${caller.agencyId}::uuid)` })
          .where('id', '=', request.params.id)
          .where('status', 'in', ['delivered', 'acked'])
          .where(visibleTo(caller))
          .returning(['id', 'acked_at', 'correlation_id'])
          .executeTakeFirst();
        if (!row) throw new HubError('NOT_FOUND', `no inbox item ${request.params.id} for ${caller.country}/${caller.agency}`);
        request.log.info({ correlationId: row.correlation_id, outboxId: row.id }, 'inbox item acknowledged');
        return { id: row.id, status: 'acked', ackedAt: (row.acked_at as Date).toISOString() };
      },
    );
  };
}

import type { FastifyPluginAsync } from 'fastify';
import type { AgencyRole, CircuitState } from '../../db/database-types.js';
import { HubError } from '../../errors/hub-error.js';
import type { HubContext } from '../../hub.js';
import { actorName, createAgency, createApiKey, revokeApiKey } from '../../identity/agency-repository.js';
import { listAudit } from '../../operations/audit-log.js';
import { findMessages } from '../../ledger/ledger-queries.js';
import { pausedCountries, setPaused } from '../../operations/partner-controls.js';
import { replayMessages } from '../../operations/replay.js';
import { findDeliveries, listLanes, probeLane, requeueDeliveries } from '../../operations/deliveries.js';
import { BULK_LIMIT, bulkFilter, deliveryFilterQuery, messageFilterQuery, toDeliveryFilter, toFilter, type DeliveryQuery, type FilterQuery } from '../admin-filters.js';
import { authenticate, callerOf, requireRole } from '../authentication.js';
import { openObject, problemResponses, uuidParam } from '../openapi-schemas.js';

/**
 * Hub administration: agencies and keys, the failure list, replay, pause switches, deliveries.
 * Every change is written to the audit log with the acting agency.
 */
export function adminRoutes(ctx: HubContext): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx.keys));
    app.addHook('preHandler', requireRole('hub_admin'));
    const actorOf = (req: Parameters<typeof callerOf>[0]) => actorName(callerOf(req));

    app.get<{ Querystring: FilterQuery }>(
      '/messages',
      { schema: { summary: 'Search the ledger (failed, rejected, dead, or any)', tags: ['admin'], querystring: messageFilterQuery, response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        const limit = request.query.limit ?? 100;
        const items = await findMessages(ctx.db, toFilter(request.query, limit, '/querystring'));
        return { items, next: items.length === limit ? items.at(-1)!.ledgerId : null };
      },
    );

    app.post<{ Body: { ids?: string[]; filter?: FilterQuery; reason: string } }>(
      '/messages/replay',
      {
        schema: {
          summary: 'Replay failed messages from their raw bytes',
          description:
            'Give either ids or a filter (status must be rejected or dead; every match up to its limit, 1000 by default). Messages are replayed in the order they were first received. Each replay is a new ledger entry linked to its original, in its conversation; the original becomes "replayed" and is never replayed twice. "more": the filter matched more messages than its limit; the same request again replays the next ones.',
          tags: ['admin'],
          body: {
            type: 'object',
            required: ['reason'],
            additionalProperties: false,
            properties: {
              ids: { type: 'array', items: { type: 'string', format: 'uuid' }, minItems: 1, maxItems: 1000 },
              filter: bulkFilter(messageFilterQuery),
              reason: { type: 'string', minLength: 3, maxLength: 500 },
            },
          },
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const { ids, filter, reason } = request.body;
        if (!ids === !filter) throw new HubError('BAD_REQUEST', 'give either ids or filter, not both and not neither');
        let targets = ids ?? [];
        let more = false;
        if (filter) {
          if (filter.status !== 'rejected' && filter.status !== 'dead') throw new HubError('BAD_REQUEST', 'a replay filter must choose status rejected or dead', [{ pointer: '/body/filter/status', code: 'replay.status', message: 'must be rejected or dead' }]);
          const limit = filter.limit ?? BULK_LIMIT;
          // One past the limit tells whether there are more.
          // Oldest first: a backlog larger than the limit is worked through, request after request, in the order it arrived.
          const found = await findMessages(ctx.db, { ...toFilter(filter, limit + 1, '/body/filter'), oldestFirst: true });
          more = found.length > limit;
          targets = found.slice(0, limit).map((m) => m.ledgerId);
        }
        const results = await replayMessages(ctx, targets, actorOf(request), reason);
        return { replayed: results.filter((r) => r.replay).length, results, more };
      },
    );

    app.get('/partners', { schema: { summary: 'Partner countries and their pause switches', tags: ['admin'], response: { 200: openObject } } }, async () => {
      const paused = await pausedCountries(ctx.db);
      return {
        items: [...ctx.config.partners.values()].map((p) => ({ country: p.country, name: p.name, ncb: p.ncb.agency, inbound: p.inbound, replies: p.replies, paused: paused.has(p.country) })),
      };
    });

    for (const action of ['pause', 'resume'] as const) {
      app.post<{ Params: { country: string }; Body: { reason?: string } | undefined }>(
        `/partners/:country/${action}`,
        {
          schema: {
            summary: action === 'pause' ? 'Hold processing of and deliveries to a partner' : 'Resume a paused partner and queue what was held',
            tags: ['admin'],
            params: { type: 'object', required: ['country'], properties: { country: { type: 'string', pattern: '^[A-Z]{2}$' } } },
            body: { type: 'object', properties: { reason: { type: 'string', maxLength: 500 } } },
            response: { 200: openObject, ...problemResponses },
          },
        },
        async (request) => {
          const { country } = request.params;
          if (!ctx.config.partners.has(country)) throw new HubError('NOT_FOUND', `${country} is not a partner country`);
          await setPaused(ctx.db, country, action === 'pause', actorOf(request), request.body?.reason ?? null);
          if (action === 'resume') await ctx.requeueHeldFor(country);
          request.log.info({ country, action }, 'partner switch changed');
          return { country, paused: action === 'pause' };
        },
      );
    }

    app.post<{ Body: { country?: string; code: string; name: string; role: AgencyRole } }>(
      '/agencies',
      {
        schema: {
          summary: 'Create an agency',
          tags: ['admin'],
          body: {
            type: 'object',
            required: ['code', 'name', 'role'],
            additionalProperties: false,
            properties: {
              country: { type: 'string', pattern: '^[A-Z]{2}$' },
              code: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
              name: { type: 'string', minLength: 1, maxLength: 200 },
              role: { type: 'string', enum: ['hub_admin', 'ncb', 'agency'] },
            },
          },
          response: { 201: openObject, ...problemResponses },
        },
      },
      async (request, reply) => {
        const { country, code, name, role } = request.body;
        if (country && !ctx.config.partners.has(country)) throw new HubError('BAD_REQUEST', `${country} is not a partner country (config/partners)`, [{ pointer: '/body/country', code: 'country.unknown', message: 'is not a partner country' }]);
        const created = await createAgency(ctx.db, { country: country ?? null, code, name, role }, actorOf(request));
        await ctx.agencies.refresh();
        // A national entity has no access until its NCB approves it (POST /v1/agencies/{id}/approval).
        return reply.code(201).send({ id: created.id, country: country ?? null, code, name, role, access: role === 'agency' ? 'pending' : 'approved' });
      },
    );

    app.post<{ Params: { id: string }; Body: { label?: string } | undefined }>(
      '/agencies/:id/keys',
      {
        schema: {
          summary: 'Issue an API key for an agency (shown once)',
          tags: ['admin'],
          params: uuidParam,
          body: { type: 'object', properties: { label: { type: 'string', maxLength: 200 } } },
          response: { 201: openObject, ...problemResponses },
        },
      },
      async (request, reply) => {
        const key = await createApiKey(ctx.db, request.params.id, request.body?.label ?? null, actorOf(request));
        return reply.code(201).send({ keyId: key.id, apiKey: key.key, note: 'store this key now: the hub keeps only its hash' });
      },
    );

    app.delete<{ Params: { keyId: string } }>(
      '/keys/:keyId',
      { schema: { summary: 'Revoke an API key', tags: ['admin'], params: { type: 'object', required: ['keyId'], properties: { keyId: { type: 'string' } } }, response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        await revokeApiKey(ctx.db, request.params.keyId, actorOf(request));
        ctx.keys.forget(request.params.keyId);
        return { keyId: request.params.keyId, revoked: true };
      },
    );

    app.get<{ Querystring: DeliveryQuery }>(
      '/deliveries',
      {
        schema: {
          summary: 'Outbound deliveries with attempts, last error and next attempt, newest first',
          tags: ['admin'],
          querystring: deliveryFilterQuery,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const limit = request.query.limit ?? 100;
        const items = await findDeliveries(ctx.db, toDeliveryFilter(request.query, limit, '/querystring'));
        return { items, next: items.length === limit ? items.at(-1)!.seq : null };
      },
    );

    app.post<{ Body: { ids?: string[]; filter?: DeliveryQuery; reason: string } }>(
      '/deliveries/requeue',
      {
        schema: {
          summary: 'Send dead or failed deliveries again',
          description:
            'Give either ids or a filter (status must be dead or failed; every match up to its limit, 1000 by default). Each is sent again from its first attempt, to the channel and in the format its recipient takes replies in now; one whose recipient is no partner any more is listed in notRequeued and left as it was. Deliveries in any other state are left alone. "more": the filter matched more deliveries than its limit; the same request again takes the next ones. Audited.',
          tags: ['admin'],
          body: {
            type: 'object',
            required: ['reason'],
            additionalProperties: false,
            properties: {
              ids: { type: 'array', items: { type: 'string', format: 'uuid' }, minItems: 1, maxItems: 1000 },
              filter: bulkFilter(deliveryFilterQuery),
              reason: { type: 'string', minLength: 3, maxLength: 500 },
            },
          },
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const { ids, filter, reason } = request.body;
        if (!ids === !filter) throw new HubError('BAD_REQUEST', 'give either ids or filter, not both and not neither');
        if (filter && filter.status !== 'dead' && filter.status !== 'failed') {
          throw new HubError('BAD_REQUEST', 'a requeue filter must choose status dead or failed', [{ pointer: '/body/filter/status', code: 'requeue.status', message: 'must be dead or failed' }]);
        }
        const target = ids ? { ids } : { filter: toDeliveryFilter(filter!, filter!.limit ?? BULK_LIMIT, '/body/filter') };
        const { requeued, notRequeued, more } = await requeueDeliveries(ctx, target, actorOf(request), reason);
        return { requeued: requeued.length, ids: requeued.map((r) => r.id), notRequeued, more };
      },
    );

    app.get<{ Querystring: { channel?: string; country?: string; circuit?: CircuitState } }>(
      '/deliveries/circuits',
      {
        schema: {
          summary: "Each partner's delivery lane: circuit breaker state (closed, open, half_open), consecutive failures, when an open circuit probes again, deliveries waiting and dead",
          tags: ['admin'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              channel: { type: 'string' },
              country: { type: 'string', pattern: '^[A-Z]{2}$' },
              circuit: { type: 'string', enum: ['closed', 'open', 'half_open'] },
            },
          },
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => ({ items: await listLanes(ctx.db, request.query) }),
    );

    app.post<{ Params: { channel: string; country: string } }>(
      '/deliveries/circuits/:channel/:country/probe',
      {
        schema: {
          summary: "Probe a partner's endpoint now: an open circuit lets one delivery through at once instead of at its retry time",
          tags: ['admin'],
          params: { type: 'object', required: ['channel', 'country'], properties: { channel: { type: 'string' }, country: { type: 'string', pattern: '^[A-Z]{2}$' } } },
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const { channel, country } = request.params;
        if (!ctx.deliverers.has(channel)) throw new HubError('NOT_FOUND', `no delivery channel ${channel} (channels: ${[...ctx.deliverers.keys()].join(', ')})`);
        const lane = await probeLane(ctx, channel, country, actorOf(request));
        if (!lane) throw new HubError('NOT_FOUND', `nothing has been delivered to ${country} over ${channel} yet`);
        request.log.info({ channel, country }, 'delivery probe requested');
        return lane;
      },
    );

    app.get<{ Querystring: { kind?: string; limit: number } }>(
      '/reference/unmapped',
      {
        schema: {
          summary: 'Makes, calibres and types received that map to no reference entry, most frequent first (add them as aliases in config/reference)',
          tags: ['admin'],
          querystring: { type: 'object', properties: { kind: { type: 'string', enum: ['make', 'calibre', 'type'] }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
          response: { 200: openObject },
        },
      },
      async (request) => {
        let q = ctx.db.selectFrom('reference_unmapped').selectAll();
        if (request.query.kind) q = q.where('kind', '=', request.query.kind);
        const rows = await q.orderBy('occurrences', 'desc').orderBy('value').limit(request.query.limit).execute();
        return { items: rows.map((r) => ({ kind: r.kind, value: r.value, occurrences: r.occurrences, firstSeen: r.first_seen.toISOString(), lastSeen: r.last_seen.toISOString() })) };
      },
    );

    app.get<{ Querystring: { actor?: string; action?: string; before?: string; limit: number } }>(
      '/audit',
      {
        schema: {
          summary: 'The audit log, newest first',
          tags: ['admin'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              actor: { type: 'string', maxLength: 200, description: 'COUNTRY/AGENCY, e.g. FR/DOUANE-CDG' },
              action: { type: 'string', maxLength: 100, description: 'e.g. records.search, check, agency.approve' },
              before: { type: 'string', pattern: '^[0-9]{1,19}$', description: 'Cursor: the last id of the previous page' },
              limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            },
          },
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => listAudit(ctx.db, request.query),
    );

  };
}

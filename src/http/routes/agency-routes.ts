import type { FastifyPluginAsync } from 'fastify';
import type { AccessStatus } from '../../db/database-types.js';
import { HubError } from '../../errors/hub-error.js';
import type { HubContext } from '../../hub.js';
import { MODULES } from '../../identity/agency-access.js';
import { actorName, createAgency, createApiKey, type Caller } from '../../identity/agency-repository.js';
import { listAudit } from '../../operations/audit-log.js';
import { agreementHistory, approveAgency, listAgencies, reinstateAgency, revokeAgency, suspendAgency, type AgreementInput } from '../../identity/user-agreements.js';
import { authenticate, callerOf, requireRole } from '../authentication.js';
import { openObject, problemResponses, uuidParam } from '../openapi-schemas.js';

const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' } as const;
const reason = { type: 'string', minLength: 3, maxLength: 500 } as const;
const reasonBody = (required: boolean) => ({ type: 'object', additionalProperties: false, ...(required ? { required: ['reason'] } : {}), properties: { reason } }) as const;

const agreementBody = {
  type: 'object',
  required: ['reference', 'signedOn', 'signedBy', 'scope'],
  additionalProperties: false,
  properties: {
    reference: { type: 'string', minLength: 1, maxLength: 100, description: "The NCB's reference of the signed user agreement" },
    signedOn: date,
    signedBy: { type: 'string', minLength: 1, maxLength: 200, description: 'Who signed for the agency' },
    validUntil: { ...date, description: 'Last day the agreement covers; three years after signedOn when absent, five at most' },
    scope: {
      type: 'object',
      additionalProperties: false,
      description: 'Level of access per module: read, or write (which includes read). A module not named is closed.',
      properties: Object.fromEntries(MODULES.map((m) => [m, { type: 'string', enum: ['read', 'write'] }])),
    },
    documentSha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the signed document the NCB keeps' },
  },
} as const;

/**
 * A National Central Bureau administers its country's agencies: it creates them, issues their
 * keys, and decides their access on signed user agreements (identity/user-agreements.ts). Hub
 * administrators see every country's agencies but approve none: under INTERPOL's rules only the
 * NCB authorises its national entities.
 */
export function agencyRoutes(ctx: HubContext): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx.keys));
    app.addHook('preHandler', requireRole('ncb', 'hub_admin'));

    /** The country whose agencies the caller administers; undefined for a hub admin (all). */
    const ownCountry = (c: Caller) => (c.role === 'ncb' ? (c.country ?? undefined) : undefined);

    async function visibleAgency(caller: Caller, id: string) {
      const [agency] = await listAgencies(ctx.db, { id, country: ownCountry(caller), limit: 1 });
      if (!agency) throw new HubError('NOT_FOUND', `no agency ${id}${caller.role === 'ncb' ? ` of ${caller.country}` : ''}`);
      return agency;
    }

    app.get<{ Querystring: { country?: string; status?: AccessStatus | 'expired'; expiringWithinDays?: number; after?: string; limit: number } }>(
      '/agencies',
      {
        schema: {
          summary: "Agencies and their access: an NCB sees its own country's, a hub admin every country's",
          tags: ['agencies'],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              country: { type: 'string', pattern: '^[A-Z]{2}$' },
              status: { type: 'string', enum: ['pending', 'approved', 'suspended', 'revoked', 'expired'], description: 'pending: awaiting the NCB\'s approval' },
              expiringWithinDays: { type: 'integer', minimum: 0, maximum: 3660, description: 'Approved agencies whose agreement ends within so many days' },
              after: { type: 'string', format: 'uuid' },
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            },
          },
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const own = ownCountry(caller);
        if (own && request.query.country && request.query.country !== own) throw new HubError('FORBIDDEN', `an NCB administers the agencies of its own country (${own})`);
        const items = await listAgencies(ctx.db, { ...request.query, country: own ?? request.query.country });
        return { items, next: items.length === request.query.limit ? items.at(-1)!.id : null };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/agencies/:id',
      { schema: { summary: 'An agency, its access and every user agreement recorded for it', tags: ['agencies'], params: uuidParam, response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        const agency = await visibleAgency(callerOf(request), request.params.id);
        return { ...agency, agreements: await agreementHistory(ctx.db, agency.id) };
      },
    );

    app.post<{ Body: { code: string; name: string } }>(
      '/agencies',
      {
        schema: {
          summary: "Create an agency of the NCB's country; it has no access until approved",
          tags: ['agencies'],
          body: {
            type: 'object',
            required: ['code', 'name'],
            additionalProperties: false,
            properties: { code: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }, name: { type: 'string', minLength: 1, maxLength: 200 } },
          },
          response: { 201: openObject, ...problemResponses },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        if (caller.role !== 'ncb' || !caller.country) throw new HubError('FORBIDDEN', 'agencies are created here by their NCB; hub admins use /v1/admin/agencies');
        const { id } = await createAgency(ctx.db, { country: caller.country, code: request.body.code, name: request.body.name, role: 'agency' }, actorName(caller));
        await ctx.agencies.refresh();
        return reply.code(201).send(await visibleAgency(caller, id));
      },
    );

    app.post<{ Params: { id: string }; Body: { label?: string } | undefined }>(
      '/agencies/:id/keys',
      {
        schema: {
          summary: 'Issue an API key for an agency of the NCB\'s country (shown once)',
          tags: ['agencies'],
          params: uuidParam,
          body: { type: 'object', additionalProperties: false, properties: { label: { type: 'string', maxLength: 200 } } },
          response: { 201: openObject, ...problemResponses },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        if (caller.role !== 'ncb') throw new HubError('FORBIDDEN', "an agency's keys are issued here by its NCB; hub admins use /v1/admin/agencies/{id}/keys");
        const agency = await visibleAgency(caller, request.params.id);
        if (agency.role !== 'agency') throw new HubError('FORBIDDEN', "an NCB issues keys for its country's agencies, not for itself");
        const key = await createApiKey(ctx.db, agency.id, request.body?.label ?? null, actorName(caller));
        return reply.code(201).send({ keyId: key.id, apiKey: key.key, access: agency.access.status, note: 'store this key now: the hub keeps only its hash' });
      },
    );

    app.get<{ Params: { id: string }; Querystring: { action?: string; before?: string; limit: number } }>(
      '/agencies/:id/activity',
      {
        schema: {
          summary: 'What an agency did: its searches and the records it was shown, checks, exports, changes; newest first',
          description: "An NCB answers for its agencies' use of the hub (RPD): this is its view of the audit log, one agency at a time.",
          tags: ['agencies'],
          params: uuidParam,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              action: { type: 'string', maxLength: 100, description: 'e.g. records.search, records.view, check' },
              before: { type: 'string', pattern: '^[0-9]{1,19}$', description: 'Cursor: the last id of the previous page' },
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            },
          },
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const agency = await visibleAgency(callerOf(request), request.params.id);
        return listAudit(ctx.db, { ...request.query, actor: actorName({ country: agency.country, agency: agency.code }) });
      },
    );

    const change = async (id: string, caller: Caller, run: () => Promise<void>) => {
      await run();
      // Applies to the agency's next request and message in this process; other processes within their key cache time.
      ctx.keys.forgetAgency(id);
      await ctx.agencies.refresh();
      return visibleAgency(caller, id);
    };

    app.post<{ Params: { id: string }; Body: AgreementInput }>(
      '/agencies/:id/approval',
      {
        schema: {
          summary: 'Approve an agency on its signed user agreement (also renews it, or changes its scope)',
          description: 'Only the NCB of the agency\'s country. An agreement in force is ended as renewed.',
          tags: ['agencies'],
          params: uuidParam,
          body: agreementBody,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        return change(request.params.id, caller, () => approveAgency(ctx.db, request.params.id, request.body, caller));
      },
    );

    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      '/agencies/:id/suspension',
      { schema: { summary: "Suspend an approved agency's access", tags: ['agencies'], params: uuidParam, body: reasonBody(true), response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        const caller = callerOf(request);
        return change(request.params.id, caller, () => suspendAgency(ctx.db, request.params.id, request.body.reason, caller));
      },
    );

    app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
      '/agencies/:id/reinstatement',
      { schema: { summary: 'Lift a suspension; the agreement in force applies again', tags: ['agencies'], params: uuidParam, body: reasonBody(false), response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        const caller = callerOf(request);
        return change(request.params.id, caller, () => reinstateAgency(ctx.db, request.params.id, request.body?.reason ?? null, caller));
      },
    );

    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      '/agencies/:id/revocation',
      {
        schema: { summary: 'Revoke an agency\'s access and end its agreement; only a new approval restores it', tags: ['agencies'], params: uuidParam, body: reasonBody(true), response: { 200: openObject, ...problemResponses } },
      },
      async (request) => {
        const caller = callerOf(request);
        return change(request.params.id, caller, () => revokeAgency(ctx.db, request.params.id, request.body.reason, caller));
      },
    );
  };
}

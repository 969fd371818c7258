import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HitStatus, HitTier } from '../../db/database-types.js';
import type { FirearmDescription, SeizureReport, TraceAddressee, TraceIllicitNature } from '../../messages/generated-types.js';
import { createTraceFromSeizure } from '../../traces/trace-from-seizure.js';
import { HubError } from '../../errors/hub-error.js';
import { matchSettings } from '../../handlers/seizure-handlers.js';
import type { HubContext } from '../../hub.js';
import type { Caller } from '../../identity/agency-repository.js';
import { matchSeizedFirearm } from '../../match/matcher.js';
import { canSee, type Viewer } from '../../records/record-visibility.js';
import { ownerNotification, restrictedNotice, seizingNotification } from '../../seizures/hit-notifications.js';
import { findHit, hitsOfSeizure, listHits, type HitDetail } from '../../seizures/hit-store.js';
import { authenticate, callerOf, requireScope } from '../authentication.js';
import { actorName } from '../../identity/agency-repository.js';
import { writeAudit } from '../../operations/audit-log.js';
import { openObject, problemResponses, uuidParam } from '../openapi-schemas.js';
import { callerCountry, submitAndApply } from '../rest-submission.js';

/**
 * Seizures, checks and hits over REST. A seizure report is a canonical seizure.report message like
 * one from any channel, applied at once so the seizing agency gets its match result in the answer.
 * A check is a question, not a message: it is answered and audited, and creates nothing.
 */
const HIT_STATUSES = ['PENDING_CONFIRMATION', 'CONFIRMED', 'REJECTED'];
const HIT_TIERS = ['STRONG', 'POSSIBLE', 'WEAK'];

const checkBody = {
  type: 'object',
  additionalProperties: false,
  required: ['serial', 'purpose'],
  properties: {
    serial: { type: 'string', minLength: 1, maxLength: 64 },
    partial: { type: 'boolean', description: 'The serial is a fragment, or has unreadable characters written ?' },
    make: { type: 'string', minLength: 1, maxLength: 120 },
    model: { type: 'string', minLength: 1, maxLength: 120 },
    calibre: { type: 'string', minLength: 1, maxLength: 60 },
    type: { type: 'string', minLength: 1, maxLength: 60 },
    purpose: { type: 'string', minLength: 3, maxLength: 500, description: 'Why the check is made (case, control); kept in the audit log' },
  },
} as const;

interface CheckBody {
  serial: string;
  partial?: boolean;
  make?: string;
  model?: string;
  calibre?: string;
  type?: string;
  purpose: string;
}

const traceBody = {
  type: 'object',
  additionalProperties: false,
  required: ['addressedTo', 'intendedUse', 'crimeCategory'],
  properties: {
    itemIndex: { type: 'integer', minimum: 0, default: 0, description: 'Which seized firearm of the report' },
    addressedTo: {
      type: 'object',
      additionalProperties: false,
      required: ['country'],
      properties: {
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
        agency: { type: 'string', minLength: 1, maxLength: 64 },
        as: { type: 'string', enum: ['country-of-manufacture', 'country-of-last-legal-import', 'other'] },
      },
    },
    intendedUse: { type: 'string', minLength: 3, maxLength: 1000 },
    crimeCategory: { type: 'string', minLength: 2, maxLength: 100 },
    circumstances: { type: 'string', minLength: 3, maxLength: 4000, description: 'Defaults to the seizure\'s criminal context' },
    illicitBasis: { type: 'string', enum: ['national-law', 'un-embargo', 'unmarked', 'unlicensed-manufacture', 'unlicensed-transfer'], default: 'national-law' },
    priority: { type: 'string', enum: ['routine', 'urgent'], default: 'routine' },
    urgentJustification: { type: 'string', minLength: 3, maxLength: 1000 },
    requestReference: { type: 'string', minLength: 1, maxLength: 100 },
  },
} as const;

interface TraceBody {
  itemIndex?: number;
  addressedTo: TraceAddressee;
  intendedUse: string;
  crimeCategory: string;
  circumstances?: string;
  illicitBasis?: TraceIllicitNature['basis'];
  priority?: 'routine' | 'urgent';
  urgentJustification?: string;
  requestReference?: string;
}

const hitQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    side: { type: 'string', enum: ['owner', 'seizing'], default: 'owner', description: 'Hits on the caller country\'s records, or on its seizures' },
    status: { type: 'string', enum: HIT_STATUSES },
    tier: { type: 'string', enum: HIT_TIERS },
    after: { type: 'string', format: 'uuid' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
} as const;

function viewerOf(caller: Caller): Viewer {
  return { country: caller.country, role: caller.role };
}

/** A hit as the caller may see it: in full for the record's owner and hub admins, restricted for the seizing side. */
function hitView(h: HitDetail, caller: Caller, ncbOf: (country: string) => string | undefined) {
  const decision = { status: h.status, decidedBy: h.decidedBy, decidedAt: h.decidedAt?.toISOString() ?? null, decisionReason: h.decisionReason, createdAt: h.createdAt.toISOString() };
  if (caller.role === 'hub_admin' || caller.country === h.record.owner_country) return { ...ownerNotification(h, h.seizure, h.record), ...decision, audience: undefined };
  if (caller.country === h.seizure.country) return { ...seizingNotification(h, h.seizure, h.record, viewerOf(caller), ncbOf(h.record.owner_country)), ...decision, audience: undefined };
  return undefined;
}

export function seizureRoutes(ctx: HubContext): FastifyPluginAsync {
  const settings = matchSettings(ctx.config);
  const ncbOf = (country: string) => ctx.config.partners.get(country)?.ncb.agency;
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx.keys));
    async function visibleHit(request: FastifyRequest, id: string) {
      const caller = callerOf(request);
      const hit = await findHit(ctx.db, id);
      const view = hit && hitView(hit, caller, ncbOf);
      if (!hit || !view) throw new HubError('NOT_FOUND', `no hit ${id} concerning ${caller.country ?? 'the hub'}`);
      return { hit, view };
    }

    // The report is stored byte for byte, so this route takes the body unparsed.
    await app.register(async (raw) => {
      raw.removeContentTypeParser('application/json');
      raw.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
      raw.post(
        '/seizures',
        {
          schema: {
            summary: 'Report a seizure; answers with the hits found for each seized firearm',
            description: 'Body: a seizure.report payload (schemas/messages/seizure.report.schema.json). The hits are notified at once to the records\' owners and to the caller.',
            tags: ['seizures'],
            response: { 201: openObject, 200: openObject, ...problemResponses },
          },
        },
        async (request, reply) => {
          const { ledgerId, duplicate, caller } = await submitAndApply(ctx, request, 'seizure.report', request.body as Buffer);
          const seizure = await ctx.db.selectFrom('seizures').select(['id', 'seizure_reference']).where('ledger_id', '=', ledgerId).executeTakeFirst();
          if (!seizure) throw new HubError('INTERNAL', 'the seizure was applied but cannot be read back');
          const items = await ctx.db.selectFrom('seizure_items').select(['item_index', 'item_reference']).where('seizure_id', '=', seizure.id).orderBy('item_index').execute();
          const hits = await hitsOfSeizure(ctx.db, seizure.id);
          return reply
            .code(duplicate ? 200 : 201)
            .header('location', `/v1/seizures/${seizure.id}`)
            .send({
              seizureId: seizure.id,
              seizureReference: seizure.seizure_reference,
              ledgerId,
              outcome: duplicate ? 'duplicate' : 'created',
              items: items.map((i) => ({
                index: i.item_index,
                itemReference: i.item_reference,
                hits: hits.filter((h) => h.seizure.item.index === i.item_index).map((h) => hitView(h, caller, ncbOf)),
              })),
            });
        },
      );
    });

    app.get<{ Params: { id: string } }>(
      '/seizures/:id',
      { schema: { summary: 'A seizure and its hits; for the seizing country and hub admins', tags: ['seizures'], params: uuidParam, response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        const caller = callerOf(request);
        // The route is a seizure's, the request it makes a trace request's.
        requireScope(caller, { module: 'traces', level: 'write' });
        const s = await ctx.db.selectFrom('seizures').selectAll().where('id', '=', request.params.id).executeTakeFirst();
        if (!s || (caller.role !== 'hub_admin' && s.country !== caller.country)) throw new HubError('NOT_FOUND', `no seizure ${request.params.id} of ${caller.country ?? 'the hub'}`);
        const hits = await hitsOfSeizure(ctx.db, s.id);
        return {
          id: s.id,
          country: s.country,
          agency: s.agency,
          seizureReference: s.seizure_reference,
          date: s.seized_on.toISOString().slice(0, 10),
          report: s.report,
          ledgerId: s.ledger_id,
          hits: hits.map((h) => hitView(h, caller, ncbOf)),
        };
      },
    );

    app.post<{ Params: { id: string }; Body: TraceBody }>(
      '/seizures/:id/trace-requests',
      {
        schema: {
          summary: 'Turn a seized firearm that hit no record into a trace request, in one call',
          description: 'The request is built from the seizure (description, case reference, date and place of recovery, legal basis) and submitted as a trace.request message of the seizing agency. Refused while the firearm has a hit that is not rejected.',
          tags: ['seizures', 'trace requests'],
          params: uuidParam,
          body: traceBody,
          response: { 201: openObject, 200: openObject, ...problemResponses },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        // The route is a seizure's, the request it makes a trace request's.
        requireScope(caller, { module: 'traces', level: 'write' });
        const s = await ctx.db.selectFrom('seizures').selectAll().where('id', '=', request.params.id).executeTakeFirst();
        if (!s || s.country !== caller.country) throw new HubError('NOT_FOUND', `no seizure ${request.params.id} of ${caller.country ?? 'the hub'}`);
        const index = request.body.itemIndex ?? 0;
        const item = await ctx.db.selectFrom('seizure_items').select(['id', 'firearm']).where('seizure_id', '=', s.id).where('item_index', '=', index).executeTakeFirst();
        if (!item) throw new HubError('NOT_FOUND', `seizure ${s.id} has no firearm ${index}`, [{ pointer: '/body/itemIndex', code: 'seizure.item-unknown', message: 'no such firearm in the report' }]);
        const open = await ctx.db.selectFrom('hits').select(['id', 'status']).where('seizure_item_id', '=', item.id).where('status', '<>', 'REJECTED').execute();
        if (open.length > 0) {
          throw new HubError('CONFLICT', `firearm ${index} of seizure ${s.seizure_reference} has ${open.length} hit(s) not rejected; a record's owner holds it, so it is not traced`, [], { hits: open.map((h) => h.id) });
        }
        const report = s.report as SeizureReport;
        const b = request.body;
        const created = await createTraceFromSeizure(ctx, {
          requester: { country: s.country, agency: caller.agency },
          addressedTo: b.addressedTo,
          firearm: item.firearm as FirearmDescription,
          seizureReference: s.seizure_reference,
          ...(b.requestReference ? { requestReference: b.requestReference } : {}),
          facts: {
            caseReference: s.seizure_reference,
            recoveryDate: report.date,
            recoveryPlace: { country: report.place.country ?? s.country, ...(report.place.locality ? { locality: report.place.locality } : {}), description: `${report.place.type}${report.place.office ? `, ${report.place.office}` : ''}` },
            circumstances: b.circumstances ?? report.criminalContext ?? `Seized (${report.place.type}${report.direction ? `, ${report.direction}` : ''})`,
            illicitBasis: b.illicitBasis ?? 'national-law',
            legalJustification: report.legalBasis,
            intendedUse: b.intendedUse,
            crimeCategory: b.crimeCategory,
            ...(b.priority ? { priority: b.priority } : {}),
            ...(b.urgentJustification ? { urgentJustification: b.urgentJustification } : {}),
          },
        });
        return reply
          .code(created.outcome === 'created' ? 201 : 200)
          .header('location', `/v1/trace-requests/${created.traceId}`)
          .send({ traceRequestId: created.traceId, ledgerId: created.ledgerId, outcome: created.outcome, seizureId: s.id, itemIndex: index });
      },
    );

    app.post<{ Body: CheckBody }>(
      '/checks',
      {
        schema: {
          summary: 'Is this serial recorded? An audited check that creates no seizure and notifies no one',
          tags: ['seizures'],
          body: checkBody,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        callerCountry(caller, 'a check');
        const body = request.body;
        const serials = [{ value: body.serial, ...(body.partial ? { partial: true } : {}) }];
        const unstated = { make: 'UNKNOWN', makeDescription: 'not stated in the check', calibre: 'not stated', type: 'not stated' };
        const described = Boolean(body.make || body.calibre || body.type || body.model);
        const hits = await matchSeizedFirearm(
          ctx.db,
          { serials, ...unstated, ...(body.make ? { make: body.make } : {}), ...(body.calibre ? { calibre: body.calibre } : {}), ...(body.type ? { type: body.type } : {}), ...(body.model ? { model: body.model } : {}) },
          ctx.reference,
          settings,
        );
        const viewer = viewerOf(caller);
        // A record the caller may not see is answered on its serial alone, once per owner country and
        // without score or tier: with them, trying makes and calibres against the same serial (checks
        // are free and create nothing) would read the hidden record's description back.
        const bySerial = described ? await matchSeizedFirearm(ctx.db, { serials, ...unstated }, ctx.reference, settings) : hits;
        const visible = hits.filter((h) => canSee(h.record, viewer));
        const restrictedOwners = [...new Set(bySerial.filter((h) => !canSee(h.record, viewer)).map((h) => h.record.owner_country))].sort();
        await writeAudit(ctx.db, { actor: actorName(caller), action: 'check', detail: { ...body, candidates: [...new Set([...hits, ...bySerial].map((h) => h.recordId))] } });
        return {
          serial: body.serial,
          purpose: body.purpose,
          recorded: visible.length + restrictedOwners.length > 0,
          matches: [
            ...visible.map((h) => ({ tier: h.tier, score: h.score, serialTier: h.serial.tier, explanation: h.explanation, record: { id: h.record.id, ownerCountry: h.record.owner_country, ownerReference: h.record.owner_reference, status: h.record.status, firearm: h.record.firearm } })),
            ...restrictedOwners.map((country) => ({ restricted: restrictedNotice(country, ncbOf(country)) })),
          ],
        };
      },
    );

    app.get<{ Querystring: { side?: 'owner' | 'seizing'; status?: HitStatus; tier?: HitTier; after?: string; limit?: number } }>(
      '/hits',
      { schema: { summary: 'Hits on the caller country\'s records (side=owner) or on its seizures (side=seizing), newest first', tags: ['seizures'], querystring: hitQuery, response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        const caller = callerOf(request);
        const country = callerCountry(caller, 'the hit list');
        const limit = request.query.limit ?? 50;
        const rows = await listHits(ctx.db, { side: request.query.side ?? 'owner', country, status: request.query.status, tier: request.query.tier, after: request.query.after, limit });
        return { items: rows.map((h) => hitView(h, caller, ncbOf)), next: rows.length === limit ? rows.at(-1)!.id : null };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/hits/:id',
      { schema: { summary: 'One hit, as the caller\'s side may see it', tags: ['seizures'], params: uuidParam, response: { 200: openObject, ...problemResponses } } },
      async (request) => (await visibleHit(request, request.params.id)).view,
    );

    for (const [path, decision] of [['confirm', 'CONFIRMED'], ['reject', 'REJECTED']] as const) {
      app.post<{ Params: { id: string }; Body: unknown }>(
        `/hits/:id/${path}`,
        {
          schema: {
            summary: decision === 'CONFIRMED' ? 'Confirm a hit (record owner only): the record becomes LOCATED' : 'Reject a hit with a reason (record owner only)',
            tags: ['seizures'],
            description: 'Optional body: {"reason": "..."}; required when rejecting. Checked as a hit.decision message.',
            params: uuidParam,
            response: { 200: openObject, ...problemResponses },
          },
        },
        async (request) => {
          await visibleHit(request, request.params.id);
          // The body is checked as part of the hit.decision message, whose errors point into it.
          const reason = request.body && typeof request.body === 'object' ? (request.body as { reason?: unknown }).reason : undefined;
          const payload = Buffer.from(JSON.stringify({ hitId: request.params.id, decision, ...(reason !== undefined ? { reason } : {}) }));
          const { ledgerId } = await submitAndApply(ctx, request, 'hit.decision', payload);
          return { ...(await visibleHit(request, request.params.id)).view, ledgerId };
        },
      );
    }
  };
}

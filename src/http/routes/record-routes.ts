import { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { RecordStatus } from '../../db/database-types.js';
import { HubError } from '../../errors/hub-error.js';
import { jsonObjectBody } from '../json-body.js';
import type { HubContext } from '../../hub.js';
import { actorName } from '../../identity/agency-repository.js';
import { writeAudit } from '../../operations/audit-log.js';
import { searchRecords, streamRecords, type RecordQuery } from '../../records/record-search.js';
import type { RecordRow } from '../../records/record-store.js';
import { canSee } from '../../records/record-visibility.js';
import { CSV_COLUMNS, csvField, csvRow, recordView } from '../../records/record-views.js';
import { authenticate, callerOf } from '../authentication.js';
import { submitAndApply } from '../rest-submission.js';
import { openObject, problemResponses, uuidParam } from '../openapi-schemas.js';

/**
 * Records over REST. Writes are not a second code path: each request becomes a canonical message
 * (record.upsert, record.status), goes through intake into the ledger like any message from any
 * channel, and is applied at once so the caller gets the outcome in the response. Reads apply
 * the owner's restrictions on every row.
 */
const STATUSES = ['LOST', 'STOLEN', 'TRAFFICKED', 'SMUGGLED', 'SEIZED_FOR_TRACING', 'LOCATED', 'CLEARED', 'CANCELLED'];

const searchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    serial: { type: 'string', minLength: 1, maxLength: 64 },
    serialMatch: { type: 'string', enum: ['exact', 'normalised', 'fuzzy'], default: 'normalised' },
    make: { type: 'string', maxLength: 120 },
    model: { type: 'string', maxLength: 120 },
    calibre: { type: 'string', maxLength: 60 },
    type: { type: 'string', maxLength: 60 },
    status: { type: 'array', items: { type: 'string', enum: STATUSES } },
    owner: { type: 'string', pattern: '^[A-Z]{2}$' },
    eventFrom: { type: 'string', format: 'date' },
    eventTo: { type: 'string', format: 'date' },
    reviewOverdue: { type: 'boolean' },
    after: { type: 'string', format: 'uuid' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    format: { type: 'string', enum: ['csv', 'ndjson'], default: 'ndjson' },
  },
} as const;

type SearchQuery = RecordQuery & { limit?: number; format?: 'csv' | 'ndjson'; status?: RecordStatus[] };

export function recordRoutes(ctx: HubContext): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx.keys));

    async function loadVisible(request: FastifyRequest, id: string): Promise<{ row: RecordRow; isOwner: boolean }> {
      const caller = callerOf(request);
      const row = (await ctx.db.selectFrom('records').selectAll().where('id', '=', id).executeTakeFirst()) as RecordRow | undefined;
      if (!row || !canSee(row, caller)) throw new HubError('NOT_FOUND', `no record ${id} visible to ${caller.country ?? 'hub'}/${caller.agency}`);
      return { row, isOwner: row.owner_country === caller.country };
    }

    async function answerWithRecord(reply: FastifyReply, country: string, ownerReference: string, ledgerId: string, duplicate: boolean) {
      const row = (await ctx.db.selectFrom('records').selectAll().where('owner_country', '=', country).where('owner_reference', '=', ownerReference).executeTakeFirst()) as RecordRow | undefined;
      if (!row) throw new HubError('INTERNAL', 'the record was applied but cannot be read back');
      const version = await ctx.db.selectFrom('record_versions').select('version').where('record_id', '=', row.id).where('ledger_id', '=', ledgerId).executeTakeFirst();
      const created = !duplicate && version?.version === 1;
      return reply
        .code(created ? 201 : 200)
        .header('location', `/v1/records/${row.id}`)
        .send({ ...recordView(row, true), outcome: duplicate ? 'duplicate' : created ? 'created' : version ? 'updated' : 'unchanged', ledgerId });
    }

    app.removeContentTypeParser('application/json');
    app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    app.post(
      '/records',
      {
        schema: {
          summary: 'Create or update a record (upsert by ownerReference)',
          description: 'Body: a record.upsert payload (schemas/messages/record.upsert.schema.json). The same content again changes nothing. Answers 201 when created, 200 when updated or unchanged.',
          tags: ['records'],
          response: { 200: openObject, 201: openObject, ...problemResponses },
        },
      },
      async (request, reply) => {
        const body = request.body as Buffer;
        let ownerReference: unknown;
        try {
          ownerReference = (JSON.parse(body.toString('utf8')) as { ownerReference?: unknown }).ownerReference;
        } catch {
          ownerReference = undefined;
        }
        const { ledgerId, duplicate, country } = await submitAndApply(ctx, request, 'record.upsert', body);
        if (typeof ownerReference !== 'string') throw new HubError('VALIDATION_FAILED', 'ownerReference is required', [{ pointer: '/body/ownerReference', code: 'schema.required', message: 'is required' }]);
        return answerWithRecord(reply, country, ownerReference, ledgerId, duplicate);
      },
    );

    app.get<{ Params: { id: string } }>(
      '/records/:id',
      { schema: { summary: 'One record, if its restrictions let the caller see it', tags: ['records'], params: uuidParam, response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        const { row, isOwner } = await loadVisible(request, request.params.id);
        if (!isOwner) await writeAudit(ctx.db, { actor: actorName(callerOf(request)), action: 'records.view', target: row.id, detail: { owner: row.owner_country } });
        return recordView(row, isOwner);
      },
    );

    app.patch<{ Params: { id: string } }>(
      '/records/:id',
      {
        schema: {
          summary: 'Change a record (JSON merge patch of firearm, event, restrictions, status, reviewDate); owner only',
          tags: ['records'],
          params: uuidParam,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request, reply) => {
        const { row, isOwner } = await loadVisible(request, request.params.id);
        if (!isOwner) throw new HubError('FORBIDDEN', `only ${row.owner_country}, the record's owner, may change it`);
        const patch = jsonObjectBody(request.body);
        if ('ownerReference' in patch) throw new HubError('BAD_REQUEST', 'ownerReference cannot be changed', [{ pointer: '/body/ownerReference', code: 'record.immutable', message: 'cannot be changed' }]);
        const current = {
          ownerReference: row.owner_reference,
          status: row.status,
          firearm: row.firearm,
          event: row.event,
          ...(row.visibility !== 'all' || row.confidentiality !== 'official-use'
            ? { restrictions: { visibility: row.visibility, ...(row.visibility !== 'all' ? { countries: row.visibility_countries } : {}), confidentiality: row.confidentiality } }
            : {}),
        };
        const merged = mergePatch(current, patch);
        const { ledgerId, duplicate, country } = await submitAndApply(ctx, request, 'record.upsert', Buffer.from(JSON.stringify(merged)));
        return answerWithRecord(reply, country, row.owner_reference, ledgerId, duplicate);
      },
    );

    app.post<{ Params: { id: string } }>(
      '/records/:id/status',
      {
        schema: {
          summary: 'Change a record\'s status (LOCATED, CLEARED, CANCELLED with a reason, or reclassify); owner only',
          tags: ['records'],
          params: uuidParam,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request, reply) => {
        const { row, isOwner } = await loadVisible(request, request.params.id);
        if (!isOwner) throw new HubError('FORBIDDEN', `only ${row.owner_country}, the record's owner, may change its status`);
        const body: { status?: unknown; reason?: unknown } = jsonObjectBody(request.body);
        const payload = Buffer.from(JSON.stringify({ ownerReference: row.owner_reference, status: body.status, ...(body.reason !== undefined ? { reason: body.reason } : {}) }));
        const { ledgerId, duplicate, country } = await submitAndApply(ctx, request, 'record.status', payload);
        const fresh = (await ctx.db.selectFrom('records').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()) as RecordRow;
        void country;
        return reply.send({ ...recordView(fresh, true), ledgerId, outcome: duplicate ? 'duplicate' : fresh.version === row.version ? 'unchanged' : 'updated' });
      },
    );

    app.get<{ Params: { id: string } }>(
      '/records/:id/history',
      { schema: { summary: 'Every version of a record: who, when, which message; owner and hub admins only', tags: ['records'], params: uuidParam, response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        const caller = callerOf(request);
        const { row, isOwner } = await loadVisible(request, request.params.id);
        if (!isOwner && caller.role !== 'hub_admin') throw new HubError('FORBIDDEN', `the history of a record is for its owner, ${row.owner_country}`);
        const versions = await ctx.db.selectFrom('record_versions').selectAll().where('record_id', '=', row.id).orderBy('version').execute();
        return {
          recordId: row.id,
          versions: versions.map((v) => ({ version: v.version, status: v.status, change: v.change, agency: v.agency, ledgerId: v.ledger_id, at: v.at.toISOString(), snapshot: v.snapshot })),
        };
      },
    );

    app.get<{ Querystring: SearchQuery }>(
      '/records',
      { schema: { summary: 'Search records (serial exact, normalised or fuzzy; make, model, calibre, type, status, owner, event dates)', tags: ['records'], querystring: searchQuery, response: { 200: openObject, ...problemResponses } } },
      async (request) => {
        const caller = callerOf(request);
        const limit = request.query.limit ?? 50;
        const rows = await searchRecords(ctx.db, ctx.reference, caller, request.query, limit);
        // Who searched what and which records it was shown (RPD): its NCB answers for the agency's use.
        await writeAudit(ctx.db, { actor: actorName(caller), action: 'records.search', detail: { query: request.query, results: rows.map((r) => r.id) } });
        return { items: rows.map((r) => recordView(r, r.owner_country === caller.country)), next: rows.length === limit ? rows.at(-1)!.id : null };
      },
    );

    app.get<{ Querystring: SearchQuery }>(
      '/records/export',
      { schema: { summary: 'Export search results, streamed, as CSV or NDJSON', tags: ['records'], querystring: searchQuery } },
      async (request, reply) => {
        const caller = callerOf(request);
        const format = request.query.format ?? 'ndjson';
        const rows = streamRecords(ctx.db, ctx.reference, caller, request.query);
        async function* lines() {
          if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
          for await (const r of rows) {
            yield format === 'csv' ? `${csvRow(r).map(csvField).join(',')}\r\n` : `${JSON.stringify(recordView(r, r.owner_country === caller.country))}\n`;
          }
        }
        await writeAudit(ctx.db, { actor: actorName(caller), action: 'records.export', detail: { query: request.query } });
        return reply
          .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
          .header('content-disposition', `attachment; filename="records.${format}"`)
          .send(Readable.from(lines()));
      },
    );
  };
}

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { HubError } from '../../errors/hub-error.js';
import { jsonObjectBody } from '../json-body.js';
import type { HubContext } from '../../hub.js';
import type { TraceRequest } from '../../messages/generated-types.js';
import { ATTACHMENT_TYPES, attachmentHref, checkUpload, digestFromHeaders, loadAttachment, storeAttachment } from '../../traces/trace-attachments.js';
import { EXPORT_MEDIA_TYPES, exportTraces, type ExportFormat } from '../../traces/trace-export.js';
import { TRACE_STATUSES } from '../../traces/trace-lifecycle.js';
import type { TraceRow } from '../../traces/trace-notifications.js';
import { partyOf, type Actor, type Direction } from '../../traces/trace-parties.js';
import { traceAnalytics } from '../../traces/trace-analytics.js';
import { traceReport } from '../../traces/trace-report.js';
import { searchTraces, streamTraces, type TraceQuery, type Viewer } from '../../traces/trace-search.js';
import { traceByReference } from '../../traces/trace-submission.js';
import { loadTrace, loadTraceDetail } from '../../traces/trace-thread.js';
import { traceSummary, traceView } from '../../traces/trace-views.js';
import { authenticate, callerOf } from '../authentication.js';
import { openObject, problemResponses, uuidParam } from '../openapi-schemas.js';
import { submitAndApply } from '../rest-submission.js';

/**
 * Trace requests over REST. Every write is a canonical message (trace.request, trace.status,
 * trace.response, trace.comment) that goes through intake into the ledger and is applied at once:
 * the same code path as a partner's message on any channel, with the outcome in the response.
 * Reads show a request to its two sides only; the monitor lists a side's incoming or outgoing
 * requests with filters and a cursor, exports them streamed, and reports on them.
 */
const filterProperties = {
  direction: { type: 'string', enum: ['incoming', 'outgoing'] },
  status: { type: 'array', items: { type: 'string', enum: [...TRACE_STATUSES] } },
  counterpart: { type: 'string', pattern: '^[A-Z]{2}$', description: 'The other side\'s country' },
  priority: { type: 'string', enum: ['routine', 'urgent'] },
  overdue: { type: 'boolean' },
  from: { type: 'string', format: 'date', description: 'Submitted on or after this day (UTC)' },
  to: { type: 'string', format: 'date', description: 'Submitted on or before this day (UTC)' },
  q: { type: 'string', minLength: 1, maxLength: 100, description: 'Text in the case reference, the request reference or a serial number' },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filterProperties,
    after: { type: 'string', format: 'uuid', description: 'Cursor: the `next` of the previous page' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
} as const;

const exportQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['format'],
  properties: { ...filterProperties, format: { type: 'string', enum: ['csv', 'xlsx', 'json'] } },
} as const;

const reportQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['direction'],
  properties: {
    direction: filterProperties.direction,
    from: filterProperties.from,
    to: filterProperties.to,
    country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'Hub admins: the country whose report to show' },
  },
} as const;

const shaParam = { type: 'object', required: ['sha256'], properties: { sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } } } as const;

type ListQuery = TraceQuery & { limit?: number };
type ExportQuery = TraceQuery & { format: ExportFormat };
interface ReportQueryString {
  direction: Direction;
  from?: string;
  to?: string;
  country?: string;
}

export function traceRoutes(ctx: HubContext): FastifyPluginAsync {
  const ncbOf = (country: string) => ctx.config.partners.get(country)?.ncb.agency;

  return async (app) => {
    app.addHook('onRequest', authenticate(ctx.keys));
    // Bodies are taken as bytes: the ledger stores what the caller sent.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.addContentTypeParser([...ATTACHMENT_TYPES], { parseAs: 'buffer', bodyLimit: ctx.config.hub.traces.attachmentMaxBytes }, (_req, body, done) => done(null, body));

    function viewerOf(request: FastifyRequest): Viewer {
      const caller = callerOf(request);
      if (caller.role === 'hub_admin') return null;
      if (!caller.country) throw new HubError('FORBIDDEN', 'trace requests are for agencies of partner countries');
      return { country: caller.country, agency: caller.agency };
    }

    function roleOf(trace: TraceRow, viewer: Viewer) {
      return viewer ? partyOf(trace, viewer, ncbOf) : null;
    }

    async function loadVisible(request: FastifyRequest, id: string) {
      const viewer = viewerOf(request);
      const trace = await loadTrace(ctx.db, id);
      const role = trace ? roleOf(trace, viewer) : null;
      if (!trace || (viewer && !role)) throw new HubError('NOT_FOUND', `no trace request ${id} of which ${viewer ? `${viewer.country}/${viewer.agency}` : 'anyone'} is a side`);
      return { trace, role, viewer };
    }

    async function answer(reply: FastifyReply, trace: TraceRow, role: ReturnType<typeof roleOf>, extra: Record<string, unknown> = {}, code = 200) {
      const d = await loadTraceDetail(ctx.db, trace);
      return reply.code(code).send({ ...traceView(d.trace, role, d.events, d.attachmentsByEvent, d.followUps), ...extra });
    }

    /**
     * The request a submission created or repeated, read back by its reference, as the caller may
     * see it. An Idempotency-Key that names an earlier message of another kind is not a repeat of
     * this request, and a reference is read back only by the request's own side.
     */
    async function readBack(request: FastifyRequest, country: string, reference: unknown, ledgerId: string, duplicate: boolean): Promise<TraceRow> {
      const trace = typeof reference === 'string' ? await traceByReference(ctx.db, country, reference) : undefined;
      if (duplicate && trace?.ledger_id !== ledgerId) {
        throw new HubError('CONFLICT', `the Idempotency-Key names message ${ledgerId}, which is not this trace request; use a new key for a new request`, [], { ledgerId });
      }
      if (!trace) throw new HubError('INTERNAL', 'the trace request was applied but cannot be read back');
      if (roleOf(trace, viewerOf(request)) !== 'requester') throw new HubError('NOT_FOUND', `no trace request ${String(reference)} of which ${country} is the requesting side`);
      return trace;
    }

    /** Submits an action on request `id` as a message naming it, applies it, and answers with the request as it now stands. */
    async function act(request: FastifyRequest, reply: FastifyReply, id: string, type: string, body: Record<string, unknown>) {
      if (body.traceId !== undefined && body.traceId !== id) {
        throw new HubError('BAD_REQUEST', `the body names trace request ${String(body.traceId)} but the URL names ${id}`, [{ pointer: '/body/traceId', code: 'trace.id-mismatch', message: 'differs from the URL' }]);
      }
      await loadVisible(request, id);
      const { ledgerId, duplicate } = await submitAndApply(ctx, request, type, Buffer.from(JSON.stringify({ traceId: id, ...body })));
      const { trace, role } = await loadVisible(request, id);
      return answer(reply, trace, role, { ledgerId, result: duplicate ? 'duplicate' : 'applied' });
    }

    app.post(
      '/trace-requests',
      {
        schema: {
          summary: 'Submit a trace request',
          description:
            'Body: a trace.request payload (schemas/messages/trace.request.schema.json). The caller is the requester. Answers 201 with the request (its hub id, due dates, thread); the same requestReference with the same content again answers 200 and changes nothing, with other content 409.',
          tags: ['trace requests'],
          response: { 200: openObject, 201: openObject, ...problemResponses },
        },
      },
      async (request, reply) => {
        const body = request.body as Buffer;
        let reference: unknown;
        try {
          reference = (JSON.parse(body.toString('utf8')) as { requestReference?: unknown }).requestReference;
        } catch {
          reference = undefined;
        }
        const { ledgerId, duplicate, country } = await submitAndApply(ctx, request, 'trace.request', body);
        const trace = await readBack(request, country, reference, ledgerId, duplicate);
        const created = !duplicate && trace.ledger_id === ledgerId;
        void reply.header('location', `/v1/trace-requests/${trace.id}`);
        return answer(reply, trace, 'requester', { ledgerId, result: created ? 'created' : duplicate ? 'duplicate' : 'unchanged' }, created ? 201 : 200);
      },
    );

    app.get<{ Params: { id: string } }>(
      '/trace-requests/:id',
      { schema: { summary: 'A trace request with its full thread (status changes, responses, comments, reminders), for its two sides', tags: ['trace requests'], params: uuidParam, response: { 200: openObject, ...problemResponses } } },
      async (request, reply) => {
        const { trace, role } = await loadVisible(request, request.params.id);
        return answer(reply, trace, role);
      },
    );

    app.post<{ Params: { id: string } }>(
      '/trace-requests/:id/status',
      {
        schema: {
          summary: 'Move a trace request on: ACKNOWLEDGED, IN_PROGRESS, REJECTED (addressee); CLOSED, CANCELLED (requester)',
          description: 'Body: {"status": ..., "reason": ..., "reasonCode": ...} (trace.status without the id). A move that the current state does not allow answers 409 naming the state and the allowed moves; a move that is the other side\'s answers 403.',
          tags: ['trace requests'],
          params: uuidParam,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request, reply) => act(request, reply, request.params.id, 'trace.status', jsonObjectBody(request.body)),
    );

    app.post<{ Params: { id: string } }>(
      '/trace-requests/:id/responses',
      {
        schema: {
          summary: 'Answer a trace request (addressee): outcome, chain of custody, point of diversion, restrictions on use',
          description: 'Body: a trace.response payload without traceId (schemas/messages/trace.response.schema.json).',
          tags: ['trace requests'],
          params: uuidParam,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request, reply) => act(request, reply, request.params.id, 'trace.response', jsonObjectBody(request.body)),
    );

    app.post<{ Params: { id: string } }>(
      '/trace-requests/:id/comments',
      {
        schema: {
          summary: 'Comment on a trace request (either side)',
          description: 'Body: {"text": ..., "attachments": [{"sha256": ...}]}.',
          tags: ['trace requests'],
          params: uuidParam,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request, reply) => act(request, reply, request.params.id, 'trace.comment', jsonObjectBody(request.body)),
    );

    app.post<{ Params: { id: string } }>(
      '/trace-requests/:id/follow-ups',
      {
        schema: {
          summary: 'Ask a country that the response named (e.g. an importer) in a linked follow-up request (requester)',
          description:
            'Body: {"addressedTo": {"country": ..., "agency"?, "as"?}, "requestReference"?, "priority"?, "urgentJustification"?, "intendedUse"?, "specialInstructions"?}. Everything else (firearm, illicit nature, recovery, case, attachments) is taken from the original request.',
          tags: ['trace requests'],
          params: uuidParam,
          response: { 201: openObject, 200: openObject, ...problemResponses },
        },
      },
      async (request, reply) => {
        const { trace: parent, role } = await loadVisible(request, request.params.id);
        if (role !== 'requester') throw new HubError('FORBIDDEN', `only the requester, ${parent.requester_country}, may follow up its trace request`);
        const body = jsonObjectBody(request.body);
        const addressedTo = body.addressedTo as { country?: unknown } | undefined;
        if (!addressedTo || typeof addressedTo !== 'object' || typeof addressedTo.country !== 'string') {
          throw new HubError('BAD_REQUEST', 'addressedTo.country is required', [{ pointer: '/body/addressedTo/country', code: 'schema.required', message: 'is required' }]);
        }
        const original = parent.request as TraceRequest;
        const { requestReference: _ref, addressedTo: _to, followUpOf: _f, priority: _p, urgentJustification: _u, ...inherited } = original;
        const priority = (body.priority as TraceRequest['priority'] | undefined) ?? original.priority;
        const urgentJustification = body.urgentJustification ?? (priority === 'urgent' ? original.urgentJustification : undefined);
        const payload = {
          ...inherited,
          ...Object.fromEntries(Object.entries(body).filter(([k]) => ['intendedUse', 'specialInstructions', 'attachments'].includes(k))),
          requestReference: (body.requestReference as string | undefined) ?? `${parent.request_reference}-FU-${addressedTo.country}`.slice(0, 100),
          addressedTo,
          priority,
          ...(urgentJustification !== undefined ? { urgentJustification } : {}),
          followUpOf: parent.id,
        };
        const { ledgerId, duplicate, country } = await submitAndApply(ctx, request, 'trace.request', Buffer.from(JSON.stringify(payload)));
        const child = await readBack(request, country, payload.requestReference, ledgerId, duplicate);
        const created = !duplicate && child.ledger_id === ledgerId;
        void reply.header('location', `/v1/trace-requests/${child.id}`);
        return answer(reply, child, 'requester', { ledgerId, result: created ? 'created' : duplicate ? 'duplicate' : 'unchanged' }, created ? 201 : 200);
      },
    );

    app.get<{ Querystring: ListQuery }>(
      '/trace-requests',
      {
        schema: {
          summary: 'Monitor: the caller\'s incoming or outgoing trace requests, newest first, filtered, a page at a time',
          tags: ['trace requests'],
          querystring: listQuery,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const viewer = viewerOf(request);
        const limit = request.query.limit ?? 50;
        const rows = await searchTraces(ctx.db, viewer, ncbOf, request.query, limit);
        return { items: rows.map((t) => traceSummary(t, roleOf(t, viewer))), next: rows.length === limit ? rows.at(-1)!.id : null };
      },
    );

    app.get<{ Querystring: ExportQuery }>(
      '/trace-requests/export',
      { schema: { summary: 'Export the filtered list, streamed, as CSV, XLSX or JSON', tags: ['trace requests'], querystring: exportQuery } },
      async (request, reply) => {
        const caller = callerOf(request);
        const viewer = viewerOf(request);
        const { format, ...filters } = request.query;
        await ctx.db
          .insertInto('audit_log')
          .values({ actor: `${caller.country ?? 'hub'}/${caller.agency}`, action: 'trace-requests.export', target: null, detail: JSON.stringify({ format, filters }) })
          .execute();
        const stream = exportTraces(streamTraces(ctx.db, viewer, ncbOf, filters), format, (t) => roleOf(t, viewer));
        return reply
          .type(EXPORT_MEDIA_TYPES[format])
          .header('content-disposition', `attachment; filename="trace-requests-${filters.direction ?? 'all'}.${format}"`)
          .send(stream);
      },
    );

    app.get<{ Querystring: ReportQueryString }>(
      '/trace-requests/report',
      {
        schema: {
          summary: 'Report on incoming or outgoing requests submitted in a period: counts by status and counterpart, median time to acknowledge and to respond, share that missed a due date, outcomes; and analytics of the answered ones (time-to-crime, source x recovery country, top makes and calibres)',
          tags: ['trace requests'],
          querystring: reportQuery,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const viewer = viewerOf(request);
        const { country, ...query } = request.query;
        let who: Actor;
        if (viewer) {
          if (country && country !== viewer.country) throw new HubError('FORBIDDEN', `${viewer.country} sees its own report, not ${country}'s`);
          who = viewer;
        } else {
          const ncb = country ? ncbOf(country) : undefined;
          if (!country || !ncb) throw new HubError('BAD_REQUEST', 'a hub admin names the partner country whose report to show', [{ pointer: '/querystring/country', code: 'schema.required', message: 'is required for hub admins (a partner country)' }]);
          // The country's report as its National Central Bureau sees it: all of its requests.
          who = { country, agency: ncb };
        }
        const [report, analytics] = await Promise.all([traceReport(ctx.db, who, ncbOf, query), traceAnalytics(ctx.db, ctx.reference, who, ncbOf, query)]);
        return { ...report, analytics };
      },
    );

    app.post(
      '/trace-attachments',
      {
        bodyLimit: ctx.config.hub.traces.attachmentMaxBytes,
        schema: {
          summary: 'Upload a file for trace requests, responses or comments (photos of markings, documents)',
          description: `Body: the file itself, as ${ATTACHMENT_TYPES.join(', ')}; at most ${ctx.config.hub.traces.attachmentMaxBytes} bytes. Optional Content-Digest (sha-256, RFC 9530) or X-Content-SHA256 is checked. Answers 201 (stored) or 200 (the same content was there already) with the sha256 to reference.`,
          tags: ['trace requests'],
          consumes: [...ATTACHMENT_TYPES],
          response: { 200: openObject, 201: openObject, ...problemResponses },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        if (!caller.country) throw new HubError('FORBIDDEN', 'attachments are uploaded by agencies of partner countries');
        const bytes = request.body as Buffer;
        if (!Buffer.isBuffer(bytes)) throw new HubError('UNSUPPORTED_MEDIA_TYPE', `attachments are ${ATTACHMENT_TYPES.join(', ')}`);
        const checked = checkUpload(request.headers['content-type'] ?? '', bytes, digestFromHeaders(request.headers));
        const stored = await storeAttachment(ctx.db, { bytes, contentType: checked.contentType, sha256: checked.sha256, country: caller.country });
        await ctx.db
          .insertInto('audit_log')
          .values({ actor: `${caller.country}/${caller.agency}`, action: 'trace-attachment.upload', target: stored.sha256, detail: JSON.stringify({ contentType: stored.contentType, size: stored.size, created: stored.created }) })
          .execute();
        return reply
          .code(stored.created ? 201 : 200)
          .header('location', attachmentHref(stored.sha256))
          .send({ sha256: stored.sha256, contentType: stored.contentType, size: stored.size, href: attachmentHref(stored.sha256), outcome: stored.created ? 'stored' : 'already-stored' });
      },
    );

    app.get<{ Params: { sha256: string } }>(
      '/trace-attachments/:sha256',
      { schema: { summary: 'Download an attachment by its sha256 (the two sides of a request using it, and uploading countries)', tags: ['trace requests'], params: shaParam } },
      async (request, reply) => {
        const viewer = viewerOf(request);
        const file = await loadAttachment(ctx.db, request.params.sha256, viewer, ncbOf);
        if (!file) throw new HubError('NOT_FOUND', `no attachment ${request.params.sha256} visible to ${viewer ? `${viewer.country}/${viewer.agency}` : 'the caller'}`);
        return reply
          .type(file.contentType)
          .header('content-length', file.content.length)
          .header('etag', `"${request.params.sha256}"`)
          .header('content-digest', `sha-256=:${Buffer.from(request.params.sha256, 'hex').toString('base64')}:`)
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, max-age=86400, immutable')
          .header('content-disposition', `attachment; filename="${request.params.sha256}"`)
          .send(file.content);
      },
    );
  };
}

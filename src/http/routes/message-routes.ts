import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { HubError } from '../../errors/hub-error.js';
import type { HubContext } from '../../hub.js';
import type { IntakeResult } from '../../intake/intake-service.js';
import { getLineage, getMessage, getOutboundOf, getReplays } from '../../ledger/ledger-queries.js';
import { authenticate, callerOf } from '../authentication.js';
import { acceptedSchema, openObject, problemResponses, uuidParam } from '../openapi-schemas.js';
import { problem, sendProblem } from '../problem-details.js';

const MESSAGE_MEDIA_TYPES = ['application/json', 'application/xml', 'text/xml'];

/**
 * The REST channel in: a partner's system posts one canonical envelope (JSON or the hub's XML)
 * or a batch of them (NDJSON). The body is taken raw, as bytes, because the ledger stores exactly
 * what was sent; parsing is the format adapter's job, behind intake.
 */
export function messageRoutes(ctx: HubContext): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser([...MESSAGE_MEDIA_TYPES, 'application/x-ndjson'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.addHook('onRequest', authenticate(ctx.keys));

    /** The partner's configured REST format that reads this content type. */
    function formatFor(request: FastifyRequest, mediaType: string): string {
      const caller = callerOf(request);
      const partner = caller.country ? ctx.config.partners.get(caller.country) : undefined;
      if (!partner) throw new HubError('FORBIDDEN', 'only agencies of partner countries send messages');
      const formats = partner.inbound.filter((i) => i.channel === 'rest').map((i) => i.format);
      const match = formats.find((f) => ctx.formats.get(f)?.mediaTypes.includes(mediaType));
      if (!match) {
        const accepted = formats.flatMap((f) => ctx.formats.get(f)?.mediaTypes ?? []);
        throw new HubError('UNSUPPORTED_MEDIA_TYPE', `${partner.country} sends ${accepted.join(', ') || 'nothing'} over REST (config/partners/${partner.country}.json), not ${mediaType}`);
      }
      return match;
    }

    function mediaTypeOf(request: FastifyRequest): string {
      return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    }

    async function answer(request: FastifyRequest, reply: FastifyReply, r: IntakeResult) {
      // Bindings per call rather than a child logger: a child costs its serialisation even when
      // the level is off, and this runs for every message.
      const ids = { correlationId: r.correlationId, ledgerId: r.ledgerId };
      const log = request.log;
      if (r.duplicate) {
        const original = await getMessage(ctx.db, r.ledgerId);
        log.info({ ...ids, reason: r.duplicateReason }, 'duplicate acknowledged with the original id');
        return reply.code(200).send({ ledgerId: r.ledgerId, messageId: original?.messageId ?? r.messageId, correlationId: original?.correlationId ?? r.correlationId, status: original?.status ?? 'received', duplicate: true });
      }
      if (r.status === 'rejected') {
        log.info({ ...ids, errors: r.errors.length }, 'message rejected at intake');
        const malformed = r.errors.every((e) => /^(json|xml)\./.test(e.code));
        const code = r.rejection === 'forbidden' ? 'SENDER_MISMATCH' : r.rejection === 'outside-scope' ? 'OUTSIDE_SCOPE' : malformed ? 'MALFORMED_BODY' : 'VALIDATION_FAILED';
        const detail = `${r.errors.length} error(s); the message is stored as rejected and can be looked up as /v1/messages/${r.ledgerId}`;
        return sendProblem(reply, problem(code, detail, request.url, r.errors, { ledgerId: r.ledgerId }));
      }
      log.info({ ...ids, type: r.type }, 'message accepted');
      return reply.code(202).header('location', `/v1/messages/${r.ledgerId}`).send({ ledgerId: r.ledgerId, messageId: r.messageId, correlationId: r.correlationId, status: 'accepted', duplicate: false });
    }

    app.post(
      '/messages',
      {
        schema: {
          summary: 'Submit one message',
          description: 'Body: one canonical envelope (schemas/envelope.schema.json) as application/json, or in the hub XML form (<message xmlns="urn:tracehub:message:1">) as application/xml. Answers 202 with the hub\'s id; a duplicate (same sender and messageId, or the same bytes) answers 200 with the original\'s id.',
          tags: ['messages'],
          consumes: MESSAGE_MEDIA_TYPES,
          response: { 202: acceptedSchema, 200: acceptedSchema, ...problemResponses },
        },
      },
      async (request, reply) => {
        const caller = callerOf(request);
        const mediaType = mediaTypeOf(request);
        if (!MESSAGE_MEDIA_TYPES.includes(mediaType)) throw new HubError('UNSUPPORTED_MEDIA_TYPE', `send ${MESSAGE_MEDIA_TYPES.join(' or ')}`);
        const format = formatFor(request, mediaType);
        const result = await ctx.intake.submit({
          channel: 'rest',
          format,
          // Whole, with its charset: the ledger keeps how the bytes were sent, and XML is read in it.
          contentType: request.headers['content-type'] ?? mediaType,
          raw: request.body as Buffer,
          sender: { country: caller.country, agency: caller.agency },
          scope: caller.access.scope,
        });
        return answer(request, reply, result);
      },
    );

    app.post(
      '/message-batches',
      {
        schema: {
          summary: 'Submit many messages at once',
          description: 'Body: newline-delimited JSON (application/x-ndjson), one canonical envelope per line. Each line is stored and judged on its own; the answer lists, per line, the hub id, the status and any errors.',
          tags: ['messages'],
          consumes: ['application/x-ndjson'],
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        if (mediaTypeOf(request) !== 'application/x-ndjson') throw new HubError('UNSUPPORTED_MEDIA_TYPE', 'send application/x-ndjson, one envelope per line');
        const format = formatFor(request, 'application/json');
        const body = request.body as Buffer;
        const lines: Buffer[] = [];
        let start = 0;
        for (let i = 0; i <= body.length; i++) {
          if (i === body.length || body[i] === 0x0a) {
            const line = body.subarray(start, i);
            if (line.toString('utf8').trim()) lines.push(line);
            start = i + 1;
          }
        }
        if (lines.length === 0) throw new HubError('BAD_REQUEST', 'the batch is empty');
        if (lines.length > ctx.config.hub.http.batchMaxMessages) throw new HubError('PAYLOAD_TOO_LARGE', `a batch holds at most ${ctx.config.hub.http.batchMaxMessages} messages; this one has ${lines.length}`);
        const results = await ctx.intake.submitMany(
          lines.map((raw) => ({ channel: 'rest', format, contentType: 'application/json', raw, sender: { country: caller.country, agency: caller.agency }, scope: caller.access.scope })),
        );
        const items = results.map((r, i) => ({
          line: i + 1,
          ledgerId: r.ledgerId,
          messageId: r.messageId,
          status: r.duplicate ? 'duplicate' : r.status !== 'rejected' ? 'accepted' : 'rejected',
          ...(r.status === 'rejected' && !r.duplicate ? { errors: r.errors } : {}),
        }));
        const count = (s: string) => items.filter((i) => i.status === s).length;
        return { accepted: count('accepted'), rejected: count('rejected'), duplicates: count('duplicate'), items };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/messages/:id',
      {
        schema: {
          summary: 'Status, lineage and errors of a message',
          description: 'Visible to the agency that sent it, its country\'s NCB, and hub admins.',
          tags: ['messages'],
          params: uuidParam,
          response: { 200: openObject, ...problemResponses },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        const message = await getMessage(ctx.db, request.params.id);
        const visible =
          message &&
          (caller.role === 'hub_admin' ||
            (message.sender.country === caller.country && (message.sender.agency === caller.agency || caller.role === 'ncb')));
        if (!message || !visible) throw new HubError('NOT_FOUND', `no message ${request.params.id} visible to ${caller.country ?? '-'}/${caller.agency}`);
        const [lineage, replays, outbound] = await Promise.all([
          getLineage(ctx.db, message.ledgerId),
          getReplays(ctx.db, message.ledgerId),
          getOutboundOf(ctx.db, message.ledgerId),
        ]);
        // What the hub sent another country is that country's business beyond the fact of it: which
        // agency got it (the owner agency of a record restricted from the caller) and how its endpoint
        // answered are not the sender's to read.
        const shown = caller.role === 'hub_admin' ? outbound : outbound.map((o) => (o.recipient.country === caller.country ? o : { id: o.id, type: o.type, recipient: { country: o.recipient.country }, status: o.status }));
        return { ...message, lineage, replays, outbound: shown };
      },
    );
  };
}

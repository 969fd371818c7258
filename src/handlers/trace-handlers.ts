import type { LoadedConfig } from '../config/load-config.js';
import type { TraceComment, TraceRequest, TraceResponse, TraceStatusUpdate } from '../messages/generated-types.js';
import type { ApplyContext, MessageHandler } from '../pipeline/message-handler.js';
import { checkTraceConfig } from '../traces/trace-deadlines.js';
import type { Outbound } from '../traces/trace-notifications.js';
import { changeTraceStatus, commentOnTrace, respondToTrace, submitTrace, type TraceWriteContext } from '../traces/trace-store.js';

/**
 * trace.request, trace.status, trace.response and trace.comment. The sender is whoever the
 * channel authenticated (the envelope's sender is checked against it at intake), so a country
 * acts on a request only as the side it is; the store refuses anything else. Whatever the change
 * tells the other side is routed in the same transaction, over that side's own channel.
 */
export interface TraceHandlerDeps {
  config: LoadedConfig;
}

function writeContext(deps: TraceHandlerDeps, ctx: ApplyContext): TraceWriteContext {
  return { config: deps.config, now: ctx.now, isPartner: (c) => ctx.isPartner(c), ncbOf: (c) => ctx.ncbOf(c) };
}

function routeAll(ctx: ApplyContext, outbound: readonly Outbound[]): void {
  for (const o of outbound) ctx.route(o.to, o.type, o.payload, o.sender ? { sender: o.sender } : undefined);
}

export function traceHandlers(deps: TraceHandlerDeps): MessageHandler<never>[] {
  // The deadline rules are configuration: a reminder set after its own due date stops the start.
  checkTraceConfig(deps.config);

  const request: MessageHandler<TraceRequest> = {
    type: 'trace.request',
    async apply(ctx, { ledgerId, envelope }) {
      const r = await submitTrace(ctx.trx, writeContext(deps, ctx), { request: envelope.payload, sender: envelope.sender, ledgerId, correlationId: envelope.correlationId ?? null });
      routeAll(ctx, r.outbound);
      ctx.log.info({ traceId: r.trace.id, outcome: r.outcome, addressedTo: r.trace.addressed_country }, 'trace request submitted');
    },
  };
  const status: MessageHandler<TraceStatusUpdate> = {
    type: 'trace.status',
    async apply(ctx, { ledgerId, envelope }) {
      const r = await changeTraceStatus(ctx.trx, writeContext(deps, ctx), { update: envelope.payload, actor: envelope.sender, ledgerId });
      routeAll(ctx, r.outbound);
      ctx.log.info({ traceId: r.trace.id, steps: r.steps.map((s) => `${s.from}->${s.to}`) }, 'trace request status changed');
    },
  };
  const response: MessageHandler<TraceResponse> = {
    type: 'trace.response',
    async apply(ctx, { ledgerId, envelope }) {
      const r = await respondToTrace(ctx.trx, writeContext(deps, ctx), { response: envelope.payload, actor: envelope.sender, ledgerId });
      routeAll(ctx, r.outbound);
      ctx.log.info({ traceId: r.trace.id, outcome: r.trace.outcome, responseId: r.responseId }, 'trace request answered');
    },
  };
  const comment: MessageHandler<TraceComment> = {
    type: 'trace.comment',
    async apply(ctx, { ledgerId, envelope }) {
      const r = await commentOnTrace(ctx.trx, writeContext(deps, ctx), { comment: envelope.payload, actor: envelope.sender, ledgerId });
      routeAll(ctx, r.outbound);
      ctx.log.debug({ traceId: r.trace.id, commentId: r.commentId }, 'trace request comment');
    },
  };
  return [request, status, response, comment] as MessageHandler<never>[];
}

import type { FastifyRequest } from 'fastify';
import { HubError } from '../errors/hub-error.js';
import type { HubContext } from '../hub.js';
import type { Caller } from '../identity/agency-repository.js';
import { uuidv7 } from '../ids/uuidv7.js';
import type { FieldError } from '../messages/generated-types.js';
import { callerOf } from './authentication.js';

/**
 * REST writes are not a second code path: the body becomes the payload of a canonical message,
 * goes through intake into the ledger like a message from any channel, and is applied at once so
 * the caller gets the outcome in the response.
 */
export interface Submitted {
  ledgerId: string;
  duplicate: boolean;
  country: string;
  caller: Caller;
}

/** Field errors point into the message's payload; for a REST body they point into the body. */
export function asBodyErrors(errors: readonly FieldError[]): FieldError[] {
  return errors.map((e) => (e.pointer?.startsWith('/payload') ? { ...e, pointer: `/body${e.pointer.slice('/payload'.length)}` } : e));
}

export function callerCountry(caller: Caller, what = 'this'): string {
  if (!caller.country) throw new HubError('FORBIDDEN', `${what} is for agencies of partner countries`);
  return caller.country;
}

/**
 * Wraps the body, byte for byte, in a canonical envelope and submits it: the ledger keeps the
 * exact bytes the caller sent inside the stored message. An `Idempotency-Key` header becomes the
 * message id, so a retried request is recognised as the same message.
 */
export async function submitAndApply(ctx: HubContext, request: FastifyRequest, type: string, body: Buffer): Promise<Submitted> {
  const caller = callerOf(request);
  const country = callerCountry(caller);
  const idempotencyKey = request.headers['idempotency-key'];
  const messageId = typeof idempotencyKey === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/.test(idempotencyKey) ? idempotencyKey : `rest-${uuidv7()}`;
  const correlationId = request.headers['x-correlation-id'];
  const head = JSON.stringify({
    messageId,
    type,
    sender: { country, agency: caller.agency },
    sentAt: new Date().toISOString(),
    ...(typeof correlationId === 'string' && correlationId.length <= 128 ? { correlationId } : {}),
  });
  const raw = Buffer.concat([Buffer.from(`${head.slice(0, -1)},"payload":`), body, Buffer.from('}')]);
  const result = await ctx.intake.submit({ channel: 'rest', format: 'canonical-json', contentType: 'application/json', raw, sender: { country, agency: caller.agency }, scope: caller.access.scope });
  if (result.status === 'rejected' && !result.duplicate) {
    throw new HubError(result.rejection === 'forbidden' ? 'SENDER_MISMATCH' : result.rejection === 'outside-scope' ? 'OUTSIDE_SCOPE' : 'VALIDATION_FAILED', `${result.errors.length} error(s) in the request body`, asBodyErrors(result.errors), { ledgerId: result.ledgerId });
  }
  // Applied, or refused, already if it was applied as it was stored (apply at intake).
  if (result.refusal && !result.duplicate) {
    throw new HubError(result.refusal.code, result.refusal.message, asBodyErrors(result.refusal.errors), { ...result.refusal.extra, ledgerId: result.ledgerId });
  }
  if (!result.duplicate && result.status === 'validated') {
    const outcome = await ctx.applyNow([result.ledgerId]);
    const refused = outcome.rejections.get(result.ledgerId);
    if (refused) throw new HubError(refused.code, refused.message, asBodyErrors(refused.errors), { ...refused.extra, ledgerId: result.ledgerId });
  }
  return { ledgerId: result.ledgerId, duplicate: result.duplicate, country, caller };
}

import type { Kysely } from 'kysely';
import type { Database } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import type { HubContext } from '../hub.js';
import { uuidv7 } from '../ids/uuidv7.js';
import type { Party } from '../messages/generated-types.js';
import type { TraceRow } from './trace-notifications.js';

/**
 * Submits a trace message on behalf of an agency from inside the hub (not from a channel): it is
 * stored in the ledger like any inbound message, validated, and applied at once, so a request the
 * hub creates (from a seizure with no hit) takes the path a partner's own request takes.
 */
export type SubmitDeps = Pick<HubContext, 'intake' | 'applyNow' | 'db'>;

export async function submitOnBehalf(deps: SubmitDeps, sender: Party, type: string, payload: object, messageId: string = `hub-${uuidv7()}`): Promise<{ ledgerId: string; duplicate: boolean }> {
  const envelope = { messageId, type, sender, sentAt: new Date().toISOString(), payload };
  const result = await deps.intake.submit({
    channel: 'internal',
    format: 'canonical-json',
    contentType: 'application/json',
    raw: Buffer.from(JSON.stringify(envelope)),
    sender: { country: sender.country, agency: sender.agency },
    // On behalf of a caller whose route judged its access (a seizure's route requires traces write).
    scope: null,
  });
  if (result.status === 'rejected' && !result.duplicate) throw new HubError('VALIDATION_FAILED', `${result.errors.length} error(s) in the ${type} message`, result.errors, { ledgerId: result.ledgerId });
  // Applied, or refused, already if it was applied as it was stored (apply at intake).
  if (result.refusal && !result.duplicate) {
    throw new HubError(result.refusal.code, result.refusal.message, result.refusal.errors, { ...result.refusal.extra, ledgerId: result.ledgerId });
  }
  if (!result.duplicate && result.status === 'validated') {
    const outcome = await deps.applyNow([result.ledgerId]);
    const refused = outcome.rejections.get(result.ledgerId);
    if (refused) throw new HubError(refused.code, refused.message, refused.errors, { ...refused.extra, ledgerId: result.ledgerId });
  }
  return { ledgerId: result.ledgerId, duplicate: result.duplicate };
}

/** The request of `country` with its own `requestReference`. */
export async function traceByReference(db: Kysely<Database>, country: string, requestReference: string): Promise<TraceRow | undefined> {
  return (await db.selectFrom('trace_requests').selectAll().where('requester_country', '=', country).where('request_reference', '=', requestReference).executeTakeFirst()) as TraceRow | undefined;
}

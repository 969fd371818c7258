import { HubError } from '../errors/hub-error.js';
import type { HubNotice } from '../messages/generated-types.js';
import type { MessageHandler } from '../pipeline/message-handler.js';

/**
 * hub.notice: stored once, then forwarded to every recipient in the sender's name. A recipient
 * that is not a partner of the hub makes the whole notice invalid: half-delivered bulletins are
 * worse than a clear rejection.
 */
export const hubNoticeHandler: MessageHandler<HubNotice> = {
  type: 'hub.notice',
  async apply(ctx, { ledgerId, envelope }) {
    const notice = envelope.payload;
    const unknown = notice.to
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => !ctx.isPartner(r.country));
    if (unknown.length) {
      throw new HubError(
        'VALIDATION_FAILED',
        'the notice names recipients that are not partners of the hub',
        unknown.map(({ r, i }) => ({ pointer: `/payload/to/${i}/country`, code: 'recipient.unknown', message: `${r.country} is not a partner country of the hub` })),
      );
    }
    await ctx.trx
      .insertInto('notices')
      .values({
        ledger_id: ledgerId,
        sender_country: envelope.sender.country,
        sender_agency: envelope.sender.agency,
        subject: notice.subject,
        body: notice.body,
        priority: notice.priority ?? 'routine',
        recipients: JSON.stringify(notice.to),
        serials: notice.serials ?? [],
      })
      .onConflict((oc) => oc.column('ledger_id').doNothing())
      .execute();
    for (const to of notice.to) {
      ctx.route(to, 'hub.notice', notice as unknown as Record<string, unknown>, { sender: envelope.sender });
    }
  },
};

import { sql } from 'kysely';
import { HubError } from '../errors/hub-error.js';
import type { HubNotice } from '../messages/generated-types.js';
import type { MessageHandler } from '../pipeline/message-handler.js';

/**
 * hub.notice: stored once, then forwarded to every recipient in the sender's name. A recipient
 * that is not a partner of the hub makes the whole notice invalid: half-delivered bulletins are
 * worse than a clear rejection. Applied set-based: one insert for a whole batch of notices.
 */
export const hubNoticeHandler: MessageHandler<HubNotice> = {
  type: 'hub.notice',
  async applyMany(ctx, messages) {
    const refused = new Map<string, HubError>();
    const accepted = messages.filter(({ ledgerId, envelope }) => {
      const unknown = envelope.payload.to.map((r, i) => ({ r, i })).filter(({ r }) => !ctx.isPartner(r.country));
      if (unknown.length === 0) return true;
      refused.set(
        ledgerId,
        new HubError(
          'VALIDATION_FAILED',
          'the notice names recipients that are not partners of the hub',
          unknown.map(({ r, i }) => ({ pointer: `/payload/to/${i}/country`, code: 'recipient.unknown', message: `${r.country} is not a partner country of the hub` })),
        ),
      );
      return false;
    });
    if (accepted.length === 0) return refused;
    const col = <T>(f: (m: (typeof accepted)[number]) => T) => accepted.map(f);
    // The unique ledger id makes a second application of the same message a no-op.
    await sql`
      insert into notices (ledger_id, sender_country, sender_agency, subject, body, priority, recipients, serials)
      select lid, sc, sa, subj, body, prio, rcp::jsonb, array(select jsonb_array_elements_text(ser::jsonb))
      from unnest(${col((m) => m.ledgerId)}::uuid[], ${col((m) => m.envelope.sender.country)}::text[], ${col((m) => m.envelope.sender.agency)}::text[],
                  ${col((m) => m.envelope.payload.subject)}::text[], ${col((m) => m.envelope.payload.body)}::text[], ${col((m) => m.envelope.payload.priority ?? 'routine')}::text[],
                  ${col((m) => JSON.stringify(m.envelope.payload.to))}::text[], ${col((m) => JSON.stringify(m.envelope.payload.serials ?? []))}::text[])
        as t(lid, sc, sa, subj, body, prio, rcp, ser)
      on conflict (ledger_id) do nothing`.execute(ctx.trx);
    for (const { ledgerId, envelope } of accepted) {
      for (const to of envelope.payload.to) {
        ctx.route(to, 'hub.notice', envelope.payload as unknown as Record<string, unknown>, { source: ledgerId, sender: envelope.sender });
      }
    }
    return refused;
  },
};

import { derivedUuid } from '../ids/uuidv7.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { Envelope, FieldError, HubReceipt, Party, Recipient } from '../messages/generated-types.js';
import type { OutboxRecord } from '../ledger/ledger-types.js';

/**
 * Builds outbox records: the envelope the recipient will get, and the channel and format its
 * partner configuration asks replies to go on. A recipient that is not a configured partner gets
 * nothing (undefined): the caller decides whether that is an error.
 */
export function buildOutbound(
  config: LoadedConfig,
  args: {
    sourceLedgerId: string | null;
    /** Distinguishes several outbound messages caused by one inbound message (or, with no source, identifies the message). */
    key: string;
    to: Recipient;
    type: string;
    payload: Record<string, unknown>;
    sender?: Party | undefined;
    correlationId: string | null;
    inReplyTo?: string | undefined;
    now: Date;
  },
): OutboxRecord | undefined {
  const partner = config.partners.get(args.to.country);
  if (!partner) return undefined;
  const id = derivedUuid('outbox', args.sourceLedgerId ?? 'hub', args.key);
  const envelope: Envelope = {
    messageId: id,
    type: args.type,
    sender: args.sender ?? { country: config.hub.identity.country, agency: config.hub.identity.agency },
    sentAt: args.now.toISOString(),
    ...(args.correlationId ? { correlationId: args.correlationId } : {}),
    ...(args.inReplyTo ? { inReplyTo: args.inReplyTo } : {}),
    payload: args.payload,
  };
  return {
    id,
    sourceLedgerId: args.sourceLedgerId,
    correlationId: args.correlationId,
    recipientCountry: args.to.country,
    recipientAgency: args.to.agency ?? null,
    channel: partner.replies.channel,
    format: partner.replies.format,
    type: args.type,
    envelope: envelope as unknown as Record<string, unknown>,
  };
}

/** The receipt that tells a sender its message was rejected, and why, field by field. */
export function rejectionReceipt(
  config: LoadedConfig,
  args: { ledgerId: string; sender: { country: string | null; agency: string | null }; messageId?: string | undefined; correlationId: string | null; errors: FieldError[]; now: Date },
): OutboxRecord | undefined {
  if (!args.sender.country) return undefined;
  const payload: HubReceipt = {
    ledgerId: args.ledgerId,
    ...(args.messageId ? { originalMessageId: args.messageId } : {}),
    outcome: 'rejected',
    errors: args.errors,
  };
  return buildOutbound(config, {
    sourceLedgerId: args.ledgerId,
    key: 'receipt:rejected',
    to: { country: args.sender.country, ...(args.sender.agency ? { agency: args.sender.agency } : {}) },
    type: 'hub.receipt',
    payload: payload as unknown as Record<string, unknown>,
    correlationId: args.correlationId,
    inReplyTo: args.messageId,
    now: args.now,
  });
}

/** Outbox rows as the delivery queues take them: ids by channel. */
export function outboxByChannel(rows: readonly { id: string; channel: string }[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of rows) m.set(r.channel, [...(m.get(r.channel) ?? []), r.id]);
  return m;
}

import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import type { Logger } from 'pino';
import type { AdapterContext, FormatAdapter } from '../formats/format-adapter.js';
import type { ChannelDeliverer, DeliveryResult, OutboxRow } from './channel-deliverer.js';
import { declarePartner, type AmqpTopology } from './amqp-topology.js';

/**
 * The AMQP channel out: each outbox row is rendered in the format the country asked for and
 * published, persistent, to the country's outbound queue on a confirm channel; a row counts as
 * delivered only once the broker has confirmed it. Messages carry message_id (the envelope's,
 * stable across retries, so the country can drop a repeat), correlation_id, type and
 * content_type, plus the outbox id in a header.
 *
 * Publishes are mandatory: a message the broker cannot route (the queue was deleted) comes back
 * instead of vanishing, counts as failed, and the country's queues are declared again before the
 * next attempt.
 */
export interface AmqpDelivererDeps {
  /** The connection in use now, if any (it changes on every reconnect). */
  connection: () => ChannelModel | undefined;
  topology: AmqpTopology;
  formats: ReadonlyMap<string, FormatAdapter>;
  adapterContext: AdapterContext;
  confirmTimeoutMs: number;
  log: Logger;
}

export const OUTBOX_ID_HEADER = 'x-tracehub-outbox-id';

/** The publish properties of one outbox row. */
export function publishOptions(row: OutboxRow, contentType: string, now: Date): Options.Publish {
  const envelope = row.envelope as { messageId?: string; correlationId?: string; inReplyTo?: string };
  const headers: Record<string, string> = { [OUTBOX_ID_HEADER]: row.id };
  if (row.recipient_agency) headers['x-tracehub-recipient-agency'] = row.recipient_agency;
  if (envelope.inReplyTo) headers['x-tracehub-in-reply-to'] = envelope.inReplyTo;
  return {
    persistent: true,
    mandatory: true,
    messageId: envelope.messageId ?? row.id,
    ...(row.correlation_id ?? envelope.correlationId ? { correlationId: row.correlation_id ?? envelope.correlationId } : {}),
    type: row.type,
    contentType,
    timestamp: Math.floor(now.getTime() / 1000),
    appId: 'tracehub',
    headers,
  };
}

export class AmqpDeliverer implements ChannelDeliverer {
  readonly channel = 'amqp';
  #model: ChannelModel | undefined;
  #confirm: Promise<ConfirmChannel> | undefined;
  /** Outbox ids the broker returned as unroutable, filled by the channel's 'return' event. */
  readonly #returned = new Set<string>();
  /** Countries whose queues must be declared again before publishing (a message came back). */
  readonly #redeclare = new Set<string>();
  readonly #outboundQueue: Map<string, string>;

  constructor(private readonly deps: AmqpDelivererDeps) {
    this.#outboundQueue = new Map(deps.topology.partners.filter((p) => p.outboundQueue).map((p) => [p.country, p.outboundQueue!]));
  }

  /** The confirm channel on the current connection, opened at the first delivery after a (re)connect. */
  #channel(): Promise<ConfirmChannel> | undefined {
    const model = this.deps.connection();
    if (model !== this.#model) {
      this.#model = model;
      this.#confirm = undefined;
    }
    if (!model) return undefined;
    if (this.#confirm) return this.#confirm;
    const opening = model.createConfirmChannel().then((ch) => {
      ch.on('error', (err: Error) => this.deps.log.warn({ err: err.message }, 'amqp confirm channel error'));
      ch.on('close', () => {
        if (this.#confirm === opening) this.#confirm = undefined;
      });
      ch.on('return', (msg: Message) => {
        const id = msg.properties.headers?.[OUTBOX_ID_HEADER];
        if (typeof id === 'string') this.#returned.add(id);
      });
      return ch;
    });
    opening.catch(() => {
      if (this.#confirm === opening) this.#confirm = undefined;
    });
    this.#confirm = opening;
    return opening;
  }

  async deliver(rows: readonly OutboxRow[]): Promise<DeliveryResult[]> {
    const opening = this.#channel();
    if (!opening) return rows.map((r) => ({ id: r.id, ok: false, error: 'not connected to the AMQP broker', unreachable: true }));
    let ch: ConfirmChannel;
    try {
      ch = await opening;
    } catch (err) {
      return rows.map((r) => ({ id: r.id, ok: false, error: `cannot open an AMQP channel: ${(err as Error).message}`, unreachable: true }));
    }
    const results = new Map<string, DeliveryResult>();
    const pending: Promise<void>[] = [];
    const now = new Date();
    for (const row of rows) {
      const queue = this.#outboundQueue.get(row.recipient_country);
      if (!queue) {
        results.set(row.id, { id: row.id, ok: false, error: `${row.recipient_country} has no AMQP outbound queue (replies.channel is not "amqp" in config/partners/${row.recipient_country}.json)` });
        continue;
      }
      if (this.#redeclare.has(row.recipient_country)) {
        const p = this.deps.topology.partners.find((x) => x.country === row.recipient_country)!;
        try {
          await declarePartner(ch, this.deps.topology, p);
          this.#redeclare.delete(row.recipient_country);
        } catch (err) {
          results.set(row.id, { id: row.id, ok: false, error: `cannot declare ${queue}: ${(err as Error).message}`, unreachable: true });
          continue;
        }
      }
      let body: Buffer;
      let contentType: string;
      try {
        const adapter = this.deps.formats.get(row.format);
        if (!adapter) throw new Error(`no format adapter named ${row.format}`);
        body = adapter.render(row.envelope, this.deps.adapterContext);
        contentType = adapter.mediaTypes[0]!;
      } catch (err) {
        results.set(row.id, { id: row.id, ok: false, error: `cannot render as ${row.format}: ${(err as Error).message}`, permanent: true });
        continue;
      }
      this.#returned.delete(row.id);
      pending.push(
        new Promise<void>((resolve) => {
          try {
            // The batch is bounded (delivery.batchSize), so a full write buffer only queues it in memory.
            ch.publish('', queue, body, publishOptions(row, contentType, now), (err: unknown) => {
              if (err) results.set(row.id, { id: row.id, ok: false, error: `the broker refused the message (nack): ${String((err as Error)?.message ?? err)}`, unreachable: true });
              else if (this.#returned.delete(row.id)) {
                this.#redeclare.add(row.recipient_country);
                results.set(row.id, { id: row.id, ok: false, error: `queue ${queue} does not exist: the broker returned the message as unroutable`, unreachable: true });
              } else results.set(row.id, { id: row.id, ok: true });
              resolve();
            });
          } catch (err) {
            results.set(row.id, { id: row.id, ok: false, error: `publish failed: ${(err as Error).message}`, unreachable: true });
            resolve();
          }
        }),
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      Promise.all(pending).then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), this.deps.confirmTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) this.deps.log.warn({ rows: rows.length, timeoutMs: this.deps.confirmTimeoutMs }, 'amqp publish confirms overdue');
    return rows.map((r) => results.get(r.id) ?? { id: r.id, ok: false, error: `no confirm from the broker within ${this.deps.confirmTimeoutMs} ms`, unreachable: true });
  }
}

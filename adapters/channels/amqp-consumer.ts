import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { IntakeResult, Submission } from '../../src/intake/intake-service.js';
import type { HubMetrics } from '../../src/observability/hub-metrics.js';
import type { FormatAdapter } from '../formats/format-adapter.js';
import { AckWindow } from './amqp-ack-window.js';
import type { AmqpInboundLane } from './amqp-topology.js';

/**
 * The AMQP channel in. One channel per country's inbound queue, with a prefetch window: every
 * message goes through intake (stored raw in the ledger, normalised, validated) and is
 * acknowledged only once intake has committed it, so a crash or a lost connection at any point
 * makes the broker deliver it again, and the ledger recognises the repeat (same sender and
 * message id, or the same bytes) and answers with the original. Prefetched messages are
 * submitted concurrently, so they share the ledger's group commits.
 *
 * A message intake rejects (invalid, or naming another sender) is stored as rejected, its
 * rejection receipt goes back to the sender over the sender's reply channel, and it is
 * acknowledged: it has been dealt with. Only a message too large to take is dead-lettered unread.
 */
export interface Intake {
  submit(submission: Submission): Promise<IntakeResult>;
}

export interface AmqpConsumerDeps {
  intake: Intake;
  formats: ReadonlyMap<string, FormatAdapter>;
  log: Logger;
  metrics: HubMetrics;
  maxMessageBytes: number;
  /** Declares a lane's queue (again) before consuming it, so a queue someone deleted comes back. */
  declare?: (channel: Channel, lane: AmqpInboundLane) => Promise<void>;
  /** First pause before retrying a message intake could not store (database down); doubles to 30 s. */
  retryInitialMs?: number;
}

export interface AmqpConsumerStatus {
  country: string;
  queue: string;
  consuming: boolean;
  inFlight: number;
  received: number;
  acknowledged: number;
  duplicates: number;
  rejected: number;
  deadLettered: number;
}

/**
 * The format a message is read with: the one whose media type its content_type names, among the
 * formats the country sends over AMQP; without a (known) content_type, the one its first byte
 * suggests (JSON or XML); otherwise the country's first.
 */
export function chooseFormat(formats: readonly FormatAdapter[], contentType: string | undefined, raw: Buffer): FormatAdapter {
  const mediaType = contentType?.split(';')[0]!.trim().toLowerCase();
  const byType = mediaType ? formats.find((f) => f.mediaTypes.includes(mediaType)) : undefined;
  if (byType) return byType;
  let i = 0;
  while (i < raw.length && (raw[i] === 0x20 || raw[i] === 0x0a || raw[i] === 0x0d || raw[i] === 0x09 || raw[i] === 0xef || raw[i] === 0xbb || raw[i] === 0xbf)) i++;
  const first = raw[i];
  const sniffed =
    first === 0x3c ? formats.find((f) => f.mediaTypes.some((m) => m.endsWith('/xml'))) : first === 0x7b || first === 0x5b ? formats.find((f) => f.mediaTypes.some((m) => m.endsWith('/json'))) : undefined;
  return sniffed ?? formats[0]!;
}

/** AMQP properties that disagree with the envelope the message carries (the envelope wins). */
export function propertyMismatches(props: { messageId?: unknown; correlationId?: unknown; type?: unknown }, r: IntakeResult): string[] {
  const out: string[] = [];
  const check = (name: string, prop: unknown, envelope: string | undefined) => {
    if (typeof prop === 'string' && prop !== '' && envelope !== undefined && prop !== envelope) out.push(`${name} "${prop}" but the envelope says "${envelope}"`);
  };
  check('message_id', props.messageId, r.messageId);
  check('type', props.type, r.type);
  // An envelope without a correlation id gets the hub's id; only a stated one can disagree.
  if (r.correlationId !== r.ledgerId) check('correlation_id', props.correlationId, r.correlationId);
  return out;
}

interface Subscription {
  channel: Channel;
  consumerTag: string;
  acks: AckWindow<ConsumeMessage>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export class AmqpConsumer {
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stats = new Map<string, AmqpConsumerStatus>();
  #stopping = false;
  #wakeOnStop: () => void = () => undefined;
  readonly #stopped = new Promise<void>((resolve) => (this.#wakeOnStop = resolve));

  constructor(
    private readonly lanes: readonly AmqpInboundLane[],
    private readonly deps: AmqpConsumerDeps,
  ) {
    for (const lane of lanes) {
      this.#stats.set(lane.country, { country: lane.country, queue: lane.queue, consuming: false, inFlight: 0, received: 0, acknowledged: 0, duplicates: 0, rejected: 0, deadLettered: 0 });
      for (const f of lane.formats) if (!deps.formats.has(f)) throw new Error(`no format adapter named ${f} (AMQP inbound of ${lane.country})`);
    }
  }

  status(): AmqpConsumerStatus[] {
    return [...this.#stats.values()].map((s) => ({ ...s }));
  }

  /** Opens a channel per inbound queue on a new connection and starts consuming. */
  async attach(model: ChannelModel): Promise<void> {
    if (this.#stopping) return;
    for (const lane of this.lanes) await this.#subscribe(model, lane);
  }

  async #subscribe(model: ChannelModel, lane: AmqpInboundLane): Promise<void> {
    const { log } = this.deps;
    const stats = this.#stats.get(lane.country)!;
    const channel = await model.createChannel();
    const acks = new AckWindow<ConsumeMessage>(channel);
    channel.on('error', (err: Error) => log.warn({ country: lane.country, queue: lane.queue, err: err.message }, 'amqp consumer channel error'));
    channel.on('close', () => {
      acks.close();
      stats.consuming = false;
      if (this.#subscriptions.get(lane.country)?.channel !== channel) return;
      this.#subscriptions.delete(lane.country);
      // The channel alone closed (the connection is still there): open it again. When the whole
      // connection went, the connection's reconnect opens it instead.
      if (this.#stopping) return;
      setTimeout(() => {
        if (this.#stopping || this.#subscriptions.has(lane.country)) return;
        this.#subscribe(model, lane).catch((err: unknown) => log.debug({ country: lane.country, err: (err as Error).message }, 'amqp consumer not resubscribed on this connection'));
      }, 1000).unref();
    });
    await this.deps.declare?.(channel, lane);
    await channel.prefetch(lane.prefetch);
    const formats = lane.formats.map((f) => this.deps.formats.get(f)!);
    const { consumerTag } = await channel.consume(
      lane.queue,
      (msg) => {
        if (!msg) {
          // The broker cancelled the consumer (the queue was deleted): closing the channel makes
          // the close handler declare the queue again and consume it.
          log.warn({ country: lane.country, queue: lane.queue }, 'amqp consumer cancelled by the broker');
          void channel.close().catch(() => undefined);
          return;
        }
        if (this.#stopping) return; // left unacknowledged: requeued when the channel closes
        acks.track(msg);
        const work = this.#handle(lane, formats, channel, acks, msg);
        this.#inFlight.add(work);
        void work.finally(() => this.#inFlight.delete(work));
      },
      { noAck: false },
    );
    this.#subscriptions.set(lane.country, { channel, consumerTag, acks });
    stats.consuming = true;
    log.info({ country: lane.country, queue: lane.queue, prefetch: lane.prefetch }, 'amqp consumer started');
  }

  async #handle(lane: AmqpInboundLane, formats: FormatAdapter[], channel: Channel, acks: AckWindow<ConsumeMessage>, msg: ConsumeMessage): Promise<void> {
    const { log, metrics } = this.deps;
    const stats = this.#stats.get(lane.country)!;
    stats.received += 1;
    stats.inFlight += 1;
    try {
      const props = msg.properties;
      if (msg.content.length > this.deps.maxMessageBytes) {
        log.warn({ country: lane.country, queue: lane.queue, bytes: msg.content.length, limit: this.deps.maxMessageBytes, messageId: props.messageId }, 'amqp message too large; dead-lettered unread');
        if (this.#settle(() => channel.nack(msg, false, false))) acks.finish(msg, false);
        stats.deadLettered += 1;
        metrics.messages.inc({ stage: 'amqp-in', outcome: 'dead-lettered' });
        return;
      }
      const format = chooseFormat(formats, props.contentType as string | undefined, msg.content);
      const submission: Submission = {
        channel: 'amqp',
        format: format.name,
        contentType: typeof props.contentType === 'string' && props.contentType ? props.contentType : format.mediaTypes[0]!,
        raw: msg.content,
        sender: { country: lane.country, agency: lane.agency },
        // Where the envelope names none (a body too broken to read), the receipt still answers
        // the message and conversation the partner published.
        ...(typeof props.messageId === 'string' && props.messageId ? { messageId: props.messageId } : {}),
        ...(typeof props.correlationId === 'string' && props.correlationId ? { correlationId: props.correlationId } : {}),
      };
      const result = await this.#store(submission, lane);
      if (!result) return; // stopping, not stored: the broker delivers it again
      const rlog = () => log.child({ correlationId: result.correlationId, ledgerId: result.ledgerId });
      if (result.duplicate) {
        stats.duplicates += 1;
        rlog().info({ country: lane.country, reason: result.duplicateReason, redelivered: msg.fields.redelivered }, 'amqp duplicate acknowledged with the original id');
      } else if (result.status === 'rejected') {
        stats.rejected += 1;
        rlog().info({ country: lane.country, errors: result.errors.length, first: result.errors[0]?.message }, 'amqp message rejected at intake; receipt sent back');
      }
      const mismatches = propertyMismatches(props, result);
      if (mismatches.length) rlog().warn({ country: lane.country, mismatches }, 'amqp message properties disagree with its envelope; the envelope was used');
      // Acknowledged with the others stored in the same tick (one frame for the lot).
      acks.finish(msg, true);
      stats.acknowledged += 1;
      metrics.messages.inc({ stage: 'amqp-in', outcome: 'acked' });
    } finally {
      stats.inFlight -= 1;
    }
  }

  /** Stores through intake, retrying while the database is unavailable; undefined if stopping first. */
  async #store(submission: Submission, lane: AmqpInboundLane): Promise<IntakeResult | undefined> {
    let delay = this.deps.retryInitialMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.intake.submit(submission);
      } catch (err) {
        if (this.#stopping) return undefined;
        if (attempt === 1 || attempt % 10 === 0) this.deps.log.warn({ country: lane.country, err: (err as Error).message, attempt }, 'amqp message could not be stored; holding it unacknowledged and retrying');
        await Promise.race([sleep(delay), this.#stopped]);
        delay = Math.min(delay * 2, 30_000);
        if (this.#stopping) return undefined;
      }
    }
  }

  /** Nacks on a channel that may have closed meanwhile (then the broker redelivers). */
  #settle(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch {
      return false;
    }
  }

  /** Stops taking messages, lets those in hand finish (stored and acknowledged), closes the channels. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wakeOnStop();
    const subs = [...this.#subscriptions.values()];
    await Promise.all(subs.map((s) => s.channel.cancel(s.consumerTag).catch(() => undefined)));
    await Promise.allSettled([...this.#inFlight]);
    for (const s of subs) s.acks.flush();
    this.#subscriptions.clear();
    await Promise.all(subs.map((s) => s.channel.close().catch(() => undefined)));
    for (const s of this.#stats.values()) s.consuming = false;
  }
}

import type { Logger } from 'pino';
import type { LoadedConfig } from '../../src/config/load-config.js';
import type { HubMetrics } from '../../src/observability/hub-metrics.js';
import type { AdapterContext, FormatAdapter } from '../formats/format-adapter.js';
import { AmqpConnection, type AmqpConnectionStatus } from './amqp-connection.js';
import { AmqpConsumer, type AmqpConsumerStatus, type Intake } from './amqp-consumer.js';
import { AmqpDeliverer } from './amqp-deliverer.js';
import { amqpSettings, amqpTopology, declarePartner, declareTopology, type AmqpSettings, type AmqpTopology } from './amqp-topology.js';

/**
 * The AMQP channel as the hub sees it: one connection, the topology it declares on every
 * (re)connect, the consumers of the countries' inbound queues and the deliverer of their replies.
 * Start opens the connection (with consumers when given an intake); stop is in two steps, so the
 * hub can stop consuming before anything else and close the connection after its deliveries.
 */
export interface AmqpChannelDeps {
  url: string;
  config: LoadedConfig;
  formats: ReadonlyMap<string, FormatAdapter>;
  adapterContext: AdapterContext;
  log: Logger;
  /** Shown in the broker's connection list. */
  name?: string;
}

export interface AmqpChannelStatus {
  connection: AmqpConnectionStatus;
  consumers: AmqpConsumerStatus[];
}

export class AmqpChannel {
  readonly settings: AmqpSettings;
  readonly topology: AmqpTopology;
  readonly deliverer: AmqpDeliverer;
  readonly #connection: AmqpConnection;
  #consumer: AmqpConsumer | undefined;
  #started = false;

  constructor(private readonly deps: AmqpChannelDeps) {
    this.settings = amqpSettings(deps.config.hub);
    this.topology = amqpTopology(deps.config);
    const log = deps.log.child({ channel: 'amqp' });
    this.#connection = new AmqpConnection({
      url: deps.url,
      name: deps.name ?? `tracehub ${process.pid}`,
      heartbeatSeconds: this.settings.heartbeatSeconds,
      reconnectInitialMs: this.settings.reconnectInitialMs,
      reconnectMaxMs: this.settings.reconnectMaxMs,
      log,
    });
    this.deliverer = new AmqpDeliverer({ connection: () => this.#connection.current, topology: this.topology, formats: deps.formats, adapterContext: deps.adapterContext, confirmTimeoutMs: this.settings.confirmTimeoutMs, log });
  }

  /**
   * Connects and, given an intake, also consumes the countries' inbound queues. Waits up to
   * amqp.startWaitMs for the broker; without it the hub goes on and connects in the background.
   */
  async start(consume?: { intake: Intake; metrics: HubMetrics }): Promise<boolean> {
    if (this.#started) return this.#connection.status().connected;
    this.#started = true;
    const log = this.deps.log.child({ channel: 'amqp' });
    const inbound = this.topology.partners.flatMap((p) => (p.inbound ? [p.inbound] : []));
    if (consume && inbound.length) {
      const partnerOf = new Map(this.topology.partners.map((p) => [p.country, p]));
      this.#consumer = new AmqpConsumer(inbound, {
        intake: consume.intake,
        formats: this.deps.formats,
        log,
        metrics: consume.metrics,
        maxMessageBytes: this.settings.maxMessageBytes,
        declare: (ch, lane) => declarePartner(ch, this.topology, partnerOf.get(lane.country)!),
      });
    }
    this.#connection.onConnect(async (model) => {
      const ch = await model.createChannel();
      ch.on('error', () => undefined); // a failed declaration is thrown by the call below
      try {
        await declareTopology(ch, this.topology);
      } finally {
        await ch.close().catch(() => undefined);
      }
    });
    const consumer = this.#consumer;
    if (consumer) this.#connection.onConnect((model) => consumer.attach(model));
    return this.#connection.start(this.settings.startWaitMs);
  }

  /** Called on every (re)connect once the connection is in use. */
  onConnected(listener: () => void): void {
    this.#connection.onConnected(listener);
  }

  status(): AmqpChannelStatus {
    return { connection: this.#connection.status(), consumers: this.#consumer?.status() ?? [] };
  }

  /** Stops consuming; what is in hand is stored and acknowledged first. */
  async stopConsuming(): Promise<void> {
    await this.#consumer?.stop();
  }

  async close(): Promise<void> {
    await this.stopConsuming();
    await this.#connection.close();
  }
}

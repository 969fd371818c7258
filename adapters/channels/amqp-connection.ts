import { connect, type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from 'pino';

/**
 * One connection to RabbitMQ for the process, kept up: when the broker goes away (restart,
 * network) it reconnects with exponential backoff and jitter, and on every new connection runs
 * the hooks registered with `onConnect` in order (declare the topology, open the consumers'
 * channels, open the confirm channel). A hook that fails closes that connection and the next
 * attempt runs them all again, so a half-set-up connection is never used.
 */
export type ConnectHook = (model: ChannelModel) => Promise<void>;

export interface AmqpConnectionOptions {
  url: string;
  /** Shown in the broker's connection list. */
  name: string;
  heartbeatSeconds: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  log: Logger;
}

export interface AmqpConnectionStatus {
  connected: boolean;
  /** Connections made since start (1 after the first, 2 after the first reconnect, ...). */
  connections: number;
  since: string | null;
  lastError: string | null;
}

/** The URL with the heartbeat set, unless the URL sets one itself; credentials never logged. */
export function connectionUrl(url: string, heartbeatSeconds: number): string {
  const u = new URL(url);
  if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(heartbeatSeconds));
  return u.toString();
}

export function redactedUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export class AmqpConnection {
  readonly #hooks: ConnectHook[] = [];
  readonly #connected: (() => void)[] = [];
  #recovering: RecoveringChannelModel | undefined;
  #current: ChannelModel | undefined;
  #status: AmqpConnectionStatus = { connected: false, connections: 0, since: null, lastError: null };
  #failedInARow = 0;

  constructor(private readonly options: AmqpConnectionOptions) {}

  onConnect(hook: ConnectHook): void {
    this.#hooks.push(hook);
  }

  /** Called once a connection is set up and in use (after the hooks), on every (re)connect. */
  onConnected(listener: () => void): void {
    this.#connected.push(listener);
  }

  get current(): ChannelModel | undefined {
    return this.#current;
  }

  status(): AmqpConnectionStatus {
    return { ...this.#status };
  }

  /**
   * Starts connecting; resolves once connected and set up, or after `waitMs` without (the
   * connection keeps being retried in the background, and the channels catch up when it comes).
   */
  async start(waitMs: number): Promise<boolean> {
    if (this.#recovering) return this.#status.connected;
    const { log } = this.options;
    const target = redactedUrl(this.options.url);
    const recovering = await connect(connectionUrl(this.options.url, this.options.heartbeatSeconds), {
      clientProperties: { connection_name: this.options.name },
      recovery: {
        initialDelay: this.options.reconnectInitialMs,
        maxDelay: this.options.reconnectMaxMs,
        waitForConnect: false,
        setup: async (model: ChannelModel) => {
          for (const hook of this.#hooks) await hook(model);
        },
      },
    });
    this.#recovering = recovering;
    recovering.on('connect', (model: ChannelModel) => {
      this.#current = model;
      this.#status = { connected: true, connections: this.#status.connections + 1, since: new Date().toISOString(), lastError: this.#status.lastError };
      if (this.#status.connections > 1 || this.#failedInARow > 0) log.info({ broker: target, connections: this.#status.connections }, 'amqp connected again');
      else log.info({ broker: target }, 'amqp connected');
      this.#failedInARow = 0;
      for (const listener of this.#connected) listener();
    });
    recovering.on('disconnect', (err: Error) => {
      this.#current = undefined;
      this.#status = { ...this.#status, connected: false, since: new Date().toISOString(), lastError: err.message };
      log.warn({ broker: target, err: err.message }, 'amqp connection lost; reconnecting');
    });
    recovering.on('connect-failed', (err: Error) => {
      this.#failedInARow += 1;
      this.#status = { ...this.#status, lastError: err.message };
      // The first failure and then every tenth: a broker down for an hour is one problem, not 200.
      if (this.#failedInARow === 1 || this.#failedInARow % 10 === 0) log.warn({ broker: target, err: err.message, attempts: this.#failedInARow }, 'amqp connection failed; retrying with backoff');
    });
    recovering.on('reconnect-scheduled', (info: { attempt: number; delay: number }) => log.debug({ broker: target, ...info }, 'amqp reconnect scheduled'));
    recovering.on('error', (err: Error) => log.warn({ broker: target, err: err.message }, 'amqp connection error'));
    recovering.on('blocked', (reason: string) => log.warn({ broker: target, reason }, 'amqp connection blocked by the broker (resource alarm)'));
    recovering.on('unblocked', () => log.info({ broker: target }, 'amqp connection unblocked'));
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      recovering.waitForConnect().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), waitMs);
      }),
    ]);
    clearTimeout(timer);
    if (!waited) log.warn({ broker: target, waitedMs: waitMs }, 'amqp not connected yet; going on and connecting in the background');
    return waited;
  }

  async close(): Promise<void> {
    const r = this.#recovering;
    this.#recovering = undefined;
    this.#current = undefined;
    this.#status = { ...this.#status, connected: false };
    await r?.close().catch(() => undefined);
  }
}

import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../../src/config/load-config.js';
import type { Database } from '../../src/db/database-types.js';
import type { IntakeService } from '../../src/intake/intake-service.js';
import type { AdapterContext, FormatAdapter } from '../formats/format-adapter.js';
import { SftpDeliverer } from './sftp-deliverer.js';
import { resolveSftpEndpoints, type ConfigProblem, type SftpEndpoint } from './sftp-endpoint.js';
import { SftpPoller } from './sftp-poller.js';
import { SftpSessions } from './sftp-session.js';

/**
 * The SFTP channel: a poller for each partner that sends files, and the deliverer that writes
 * replies as files. Endpoints come from the partner files and the environment; one whose
 * environment is missing on this machine is left out with a warning (and deliveries to it fail
 * with that reason, visible on the outbox rows) rather than stopping the hub.
 */
export interface SftpChannelDeps {
  config: LoadedConfig;
  formats: ReadonlyMap<string, FormatAdapter>;
  adapterContext: AdapterContext;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface SftpStartDeps {
  db: Kysely<Database>;
  redis: Redis;
  intake: IntakeService;
  /** Lease namespace shared by the instances of one deployment (the queue prefix). */
  leasePrefix: string;
}

export class SftpChannel {
  readonly endpoints: ReadonlyMap<string, SftpEndpoint>;
  readonly unavailable: ReadonlyMap<string, string>;
  /** Configuration faults; the hub refuses to start on any. */
  readonly problems: readonly ConfigProblem[];
  readonly deliverer: SftpDeliverer;
  readonly pollers: SftpPoller[] = [];
  readonly #sessions = new SftpSessions();
  readonly #log: Logger;

  constructor(private readonly deps: SftpChannelDeps) {
    this.#log = deps.log.child({ channel: 'sftp' });
    const resolved = resolveSftpEndpoints(deps.config, deps.formats, deps.env ?? process.env);
    this.endpoints = resolved.endpoints;
    this.unavailable = resolved.unavailable;
    this.problems = resolved.problems;
    this.deliverer = new SftpDeliverer({
      endpoints: this.endpoints,
      unavailable: this.unavailable,
      formats: deps.formats,
      adapterContext: deps.adapterContext,
      sessions: this.#sessions,
      log: this.#log,
    });
  }

  /** Says, once at start, which endpoints are used and which are not, and why. */
  report(): void {
    for (const [country, reason] of this.unavailable) this.#log.warn({ country }, `SFTP endpoint of ${country} not used on this machine: ${reason}`);
    for (const e of this.endpoints.values()) {
      if (!e.connection.hostKeySha256) this.#log.warn({ country: e.country }, `SFTP host key of ${e.country} is not pinned (sftp.hostKeySha256); any server answering at ${e.connection.host}:${e.connection.port} is trusted`);
    }
  }

  /** Starts a poller for each endpoint that receives files (workers role). */
  start(deps: SftpStartDeps): void {
    if (this.pollers.length) return;
    const { config } = this.deps;
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.inbound.length === 0) continue;
      const poller = new SftpPoller(
        {
          db: deps.db,
          redis: deps.redis,
          intake: deps.intake,
          sessions: this.#sessions,
          log: this.#log,
          leasePrefix: deps.leasePrefix,
          instance: `${hostname()}:${process.pid}`,
          batchSize: config.hub.pipeline.ingestMaxBatch,
          limits: { maxMessageBytes: Math.max(config.hub.http.bodyLimitBytes, config.hub.xml.maxBytes), xmlMaxDepth: config.hub.xml.maxDepth },
        },
        endpoint,
      );
      this.pollers.push(poller);
      poller.start();
    }
  }

  poller(country: string): SftpPoller | undefined {
    return this.pollers.find((p) => p.endpoint.country === country);
  }

  /** Stops the pollers (work in hand stops at its next batch and resumes later). */
  async stopPolling(): Promise<void> {
    await Promise.all(this.pollers.splice(0).map((p) => p.stop()));
  }

  async close(): Promise<void> {
    await this.stopPolling();
    await this.#sessions.closeAll();
  }
}

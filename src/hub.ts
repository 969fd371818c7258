import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { ChannelDeliverer } from '../adapters/channels/channel-deliverer.js';
import { restInboxDeliverer } from '../adapters/channels/rest-inbox-deliverer.js';
import { AmqpChannel } from '../adapters/channels/amqp-channel.js';
import { amqpConfigProblems, usesAmqp } from '../adapters/channels/amqp-topology.js';
import { WebhookDeliverer, webhookConfigProblems } from '../adapters/channels/webhook-deliverer.js';
import type { FormatAdapter } from '../adapters/formats/format-adapter.js';
import { builtInFormats } from '../adapters/formats/format-registry.js';
import { SftpChannel } from '../adapters/channels/sftp-channel.js';
import { ApplyQueue } from '../queues/apply.queue.js';
import { DeliverQueues } from '../queues/deliver.queue.js';
import { MaintenanceQueue, type MaintenanceTask } from '../queues/maintenance.queue.js';
import { openRedis } from '../queues/redis-connection.js';
import { ConfigError } from './config/config-error.js';
import type { Environment } from './config/environment.js';
import { loadConfig, type LoadedConfig } from './config/load-config.js';
import { openDatabase, ensureDatabaseExists, type DatabaseHandle } from './db/database.js';
import type { Database } from './db/database-types.js';
import type { LedgerEntry } from './ledger/ledger-types.js';
import { migrateToLatest } from './db/migrate.js';
import { hubNoticeHandler } from './handlers/hub-notice-handler.js';
import { recordStatusHandler, recordUpsertHandler } from './handlers/record-handlers.js';
import { hitDecisionHandler, seizureReportHandler } from './handlers/seizure-handlers.js';
import { traceHandlers } from './handlers/trace-handlers.js';
import { loadReferenceCatalogue, type ReferenceCatalogue } from './reference/reference-catalogue.js';
import { runRecordReviews } from './records/record-review.js';
import { runAgreementReminders } from './identity/agreement-reminders.js';
import { runScheduledReports } from './statistics/scheduled-reports.js';
import { disclosureControl } from './statistics/statistics-query.js';
import { runTraceDeadlineTask } from './traces/trace-deadline-task.js';
import { afterTraceDeliveries, TRACE_REQUESTED } from './traces/trace-delivery.js';
import { buildApp } from './http/app.js';
import { KeyVerifier } from './identity/agency-repository.js';
import { AgencyDirectory } from './identity/agency-directory.js';
import { IntakeService } from './intake/intake-service.js';
import { maintainPartitions, pruneDedupKeys } from './ledger/ledger-partitions.js';
import { pruneUnpartitioned } from './operations/unpartitioned-retention.js';
import type { HubConfig } from './messages/generated-types.js';
import { discoverMessageTypes, type MessageTypeDefinition } from './messages/message-types.js';
import { loadSchemaCatalog, type SchemaCatalog, type SchemaDocument } from './messages/schema-catalog.js';
import { createLogger } from './observability/logger.js';
import { HubMetrics } from './observability/hub-metrics.js';
import { findHeldFor, findUnfinished } from './operations/sweeper.js';
import { applyMessages, type ApplyOutcome } from './pipeline/apply-pipeline.js';
import { applyAtIntake, settleAtIntake, type IntakeApplication } from './pipeline/apply-at-intake.js';
import { deliverOutbox } from './pipeline/delivery-stage.js';
import { deliveryPolicy } from './pipeline/delivery-policy.js';
import { resumeChannel } from './operations/deliveries.js';
import { HandlerRegistry } from './pipeline/handler-registry.js';
import type { MessageHandler } from './pipeline/message-handler.js';
import { outboxByChannel } from './pipeline/outbound-envelope.js';

/**
 * The composition root. Everything the hub is made of is built here, in one order, and closed in
 * the reverse order: HTTP intake first (no new work), then the ledger writes in flight, then the
 * workers (each finishes its current job), then queues, Redis and PostgreSQL.
 */
export interface HubOptions {
  env: Environment;
  /** Which parts run in this process: the API, the workers, or both (the default). */
  roles?: { api?: boolean; workers?: boolean };
  logger?: Logger;
  /** Extra handlers and schemas, for modules registered from outside (and tests). */
  handlers?: readonly MessageHandler<never>[];
  extraSchemas?: readonly SchemaDocument[];
  /** Adjusts hub.json after loading (tests shorten backoffs). */
  tuneConfig?: (hub: HubConfig) => void;
  /** Defaults to true: run migrations and create partitions at start. */
  migrate?: boolean;
  defaultMetrics?: boolean;
  /** Reads a secret by environment variable name (webhook signing keys); process.env by default. */
  secretOf?: (name: string) => string | undefined;
}

/** The trace requests among outbox rows delivered as they committed (pull channels): what afterTraceDeliveries needs. */
function traceRequestsAmong(delivered: readonly { id: string; type: string }[]): string[] {
  return delivered.filter((d) => d.type === TRACE_REQUESTED).map((d) => d.id);
}

export interface HubContext {
  env: Environment;
  config: LoadedConfig;
  catalog: SchemaCatalog;
  types: ReadonlyMap<string, MessageTypeDefinition>;
  formats: ReadonlyMap<string, FormatAdapter>;
  deliverers: ReadonlyMap<string, ChannelDeliverer>;
  handlers: HandlerRegistry;
  reference: ReferenceCatalogue;
  db: Kysely<Database>;
  redis: Redis;
  applyQueue: ApplyQueue;
  deliverQueues: DeliverQueues;
  maintenanceQueue: MaintenanceQueue;
  intake: IntakeService;
  keys: KeyVerifier;
  /** National entities' access, for what channels carry in their name (intake). */
  agencies: AgencyDirectory;
  metrics: HubMetrics;
  log: Logger;
  /** The AMQP channel (connection, consumers, deliverer); connected only by processes with the workers role. */
  amqp: AmqpChannel;
  /** The SFTP channel (pollers of partners' drops, deliverer of reply files); polls only with the workers role. */
  sftp: SftpChannel;
  /** Channels whose deliverer is a pull inbox: rows are delivered as they commit. */
  pullChannels: ReadonlySet<string>;
  /** Applies messages now, in this process (synchronous REST writes), and queues their deliveries. */
  applyNow(ids: readonly string[]): Promise<ApplyOutcome>;
  /** Queues everything held back for a partner (after resume). */
  requeueHeldFor(country: string): Promise<void>;
}

function checkWiring(config: LoadedConfig, formats: ReadonlyMap<string, FormatAdapter>, deliverers: ReadonlyMap<string, ChannelDeliverer>): void {
  for (const [cc, p] of config.partners) {
    const file = `config/partners/${cc}.json`;
    p.inbound.forEach((inb, i) => {
      if (!formats.has(inb.format)) throw new ConfigError(file, [{ pointer: `/inbound/${i}/format`, message: `no format adapter named "${inb.format}" (known: ${[...formats.keys()].join(', ')})` }]);
    });
    const replies = formats.get(p.replies.format);
    if (!replies) throw new ConfigError(file, [{ pointer: '/replies/format', message: `no format adapter named "${p.replies.format}" (known: ${[...formats.keys()].join(', ')})` }]);
    // Records sent to the hub are kept and matched, never passed on: a reply format that renders
    // nothing else (a national record layout) would see every delivery to the partner dead.
    if (replies.renders && replies.renders.every((type) => type === 'record.upsert')) {
      const general = [...formats.values()].filter((f) => !f.renders).map((f) => f.name);
      throw new ConfigError(file, [
        { pointer: '/replies/format', message: `"${replies.name}" renders ${replies.renders.join(', ')} only, none of the messages the hub sends (receipts, notices, hits, traces); replies need a format that renders them (${general.join(', ')})` },
      ]);
    }
    if (!deliverers.has(p.replies.channel)) throw new ConfigError(file, [{ pointer: '/replies/channel', message: `the hub cannot deliver over "${p.replies.channel}" yet (available: ${[...deliverers.keys()].join(', ')})` }]);
  }
}

/** Channel settings the hub cannot honour (queue names, webhook secrets), first file first. */
function checkChannels(config: LoadedConfig, secretOf: (name: string) => string | undefined): void {
  const problems = [...amqpConfigProblems(config), ...webhookConfigProblems(config, secretOf)].sort((a, b) => a.file.localeCompare(b.file));
  if (problems.length) {
    const file = problems[0]!.file;
    throw new ConfigError(file, problems.filter((p) => p.file === file).map(({ pointer, message }) => ({ pointer, message })));
  }
}

/**
 * What follows an applied batch, wherever it was applied (apply job, synchronous REST, intake):
 * its deliveries are queued, and a trace request handed to its addressee as it committed becomes
 * DELIVERED, with the requester told.
 */
async function followApplied(ctx: HubContext, outcome: Pick<ApplyOutcome, 'deliveries' | 'delivered'>): Promise<void> {
  await ctx.deliverQueues.add(outcome.deliveries);
  await afterTraceDeliveries(ctx, traceRequestsAmong(outcome.delivered));
}

export class Hub {
  app: FastifyInstance | undefined;
  #started = false;
  #stopping: Promise<void> | undefined;

  private constructor(
    readonly ctx: HubContext,
    private readonly database: DatabaseHandle,
    private readonly roles: { api: boolean; workers: boolean },
  ) {}

  static async create(options: HubOptions): Promise<Hub> {
    const { env } = options;
    const log = options.logger ?? createLogger(env.logLevel);
    const catalog = loadSchemaCatalog(undefined, options.extraSchemas);
    const config = loadConfig(env.configDir, catalog);
    options.tuneConfig?.(config.hub);
    const types = discoverMessageTypes(catalog);
    const reference = loadReferenceCatalogue(undefined, catalog);
    const handlers = new HandlerRegistry(
      [
        hubNoticeHandler as MessageHandler<never>,
        recordUpsertHandler({ config, reference }) as MessageHandler<never>,
        recordStatusHandler() as MessageHandler<never>,
        seizureReportHandler({ config, reference }) as MessageHandler<never>,
        hitDecisionHandler() as MessageHandler<never>,
        ...traceHandlers({ config }),
        ...(options.handlers ?? []),
      ],
      types,
    );
    const formats = builtInFormats({ configDir: env.configDir, catalog, reference });
    const adapterContext = { catalog, payloadSchemaId: (type: string) => types.get(type)?.schemaId, limits: { xmlMaxDepth: config.hub.xml.maxDepth, xmlMaxBytes: config.hub.xml.maxBytes } };
    const secretOf = options.secretOf ?? ((name: string) => process.env[name]);
    const amqp = new AmqpChannel({ url: env.amqpUrl, config, formats, adapterContext, log });
    const deliverers = new Map<string, ChannelDeliverer>([[restInboxDeliverer.channel, restInboxDeliverer]]);
    deliverers.set(amqp.deliverer.channel, amqp.deliverer);
    const sftp = new SftpChannel({ config, formats, adapterContext, log });
    if (sftp.problems.length) throw new ConfigError(sftp.problems[0]!.file, sftp.problems.filter((p) => p.file === sftp.problems[0]!.file));
    deliverers.set(sftp.deliverer.channel, sftp.deliverer);
    deliverers.set('webhook', new WebhookDeliverer({ config, formats, adapterContext, secretOf, timeoutMs: config.hub.webhook?.timeoutMs ?? 10_000, maxBatch: config.hub.webhook?.maxBatch ?? 20, log: log.child({ channel: 'webhook' }) }));
    checkWiring(config, formats, deliverers);
    checkChannels(config, secretOf);
    // A delivery queue and worker only for the channels some partner takes replies on (and REST).
    const replyChannels = new Set(['rest', ...[...config.partners.values()].map((p) => p.replies.channel)]);
    for (const channel of [...deliverers.keys()]) if (!replyChannels.has(channel)) deliverers.delete(channel);

    if (options.migrate !== false) await ensureDatabaseExists(env.databaseUrl);
    const database = openDatabase({ url: env.databaseUrl, schema: env.databaseSchema, log });
    try {
      if (options.migrate !== false) {
        await migrateToLatest(database.db as Kysely<unknown>, env.databaseSchema);
        await maintainPartitions(database.db, config.hub.retention.classes);
      }
    } catch (err) {
      await database.close();
      throw err;
    }
    const redis = openRedis(env.redisUrl, 'tracehub', log);
    const metrics = new HubMetrics({ defaultMetrics: options.defaultMetrics ?? true });
    const applyQueue = new ApplyQueue(redis, env.queuePrefix, config.hub, log);
    const deliverQueues = new DeliverQueues(redis, env.queuePrefix, config.hub, log, [...deliverers.keys()]);
    const maintenanceQueue = new MaintenanceQueue(redis, env.queuePrefix, config.hub, log);
    for (const q of [applyQueue.queue, ...deliverQueues.queues, maintenanceQueue.queue]) metrics.watchQueue(q);
    const db = database.db;
    const pullChannels = new Set([...deliverers.values()].filter((d) => d.pull).map((d) => d.channel));
    const roles = { api: options.roles?.api ?? true, workers: options.roles?.workers ?? true };
    const applyDeps = { db, config, handlers, log, metrics, pullChannels };
    // Applying is the workers' job: a process that only serves the API stores and queues.
    const atIntake =
      roles.workers && config.hub.pipeline.applyAtIntake !== false
        ? {
            apply: (trx: Transaction<Database>, validated: readonly LedgerEntry[], paused: ReadonlySet<string>) => applyAtIntake(applyDeps, trx, validated, paused),
            committed: async (app: IntakeApplication) => followApplied(ctx, await settleAtIntake(applyDeps, app)),
          }
        : undefined;
    const keyCacheMs = (config.hub.http.apiKeyCacheSeconds ?? 5) * 1000;
    // Reloaded as often as keys are re-verified, so a suspension takes effect on channels as soon as on the API.
    const agencies = new AgencyDirectory(db, Math.max(keyCacheMs, 1000), log);
    const intake = new IntakeService({ db, config, catalog, types, formats, applyQueue, deliverQueues, log, metrics, atIntake, agencies });
    const keys = new KeyVerifier(db, keyCacheMs);
    const ctx: HubContext = {
      env, config, catalog, types, formats, deliverers, handlers, reference, db, redis, applyQueue, deliverQueues, maintenanceQueue, intake, keys, agencies, metrics, log, amqp, sftp, pullChannels,
      async applyNow(ids) {
        const outcome = await applyMessages(applyDeps, ids, { attemptsMade: 0, maxAttempts: 1 });
        await followApplied(ctx, outcome);
        return outcome;
      },
      async requeueHeldFor(country) {
        const held = await findHeldFor(db, country);
        await applyQueue.add(held.messages);
        await deliverQueues.add(held.deliveries);
      },
    };
    const hub = new Hub(ctx, database, roles);
    if (hub.roles.api) hub.app = await buildApp(ctx);
    return hub;
  }

  /** Applies a batch and queues its deliveries: what the apply worker runs for each job. */
  async apply(ids: readonly string[], attempt = { attemptsMade: 0, maxAttempts: 1 }): Promise<ApplyOutcome> {
    const { ctx } = this;
    const outcome = await applyMessages({ db: ctx.db, config: ctx.config, handlers: ctx.handlers, log: ctx.log, metrics: ctx.metrics, pullChannels: ctx.pullChannels }, ids, attempt);
    await followApplied(ctx, outcome);
    return outcome;
  }

  /** Works the delivery lanes of the given outbox rows (or countries) on one channel: what each delivery job runs. */
  async deliver(channel: string, work: { ids?: readonly string[]; countries?: readonly string[] }) {
    const { ctx } = this;
    const report = await deliverOutbox(
      {
        db: ctx.db,
        deliverers: ctx.deliverers,
        log: ctx.log,
        metrics: ctx.metrics,
        policy: deliveryPolicy(ctx.config.hub.delivery),
        wake: (ch, country, at) => ctx.deliverQueues.wake(ch, country, at),
      },
      channel,
      work,
    );
    // A trace request handed to its addressee becomes DELIVERED, and the requester is told.
    await afterTraceDeliveries(ctx, report.delivered);
    return report;
  }

  async runMaintenance(task: MaintenanceTask): Promise<unknown> {
    const { ctx } = this;
    if (task === 'sweep' || task === 'startup-sweep') {
      // At start nothing of this process is in flight, so everything unfinished is taken at once
      // (a crash leaves work that is seconds old). Later sweeps take only what has waited long,
      // and only while the apply queue is idle: a busy queue is a backlog, not lost work.
      if (task === 'sweep') {
        const counts = await ctx.applyQueue.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(counts).some((n) => n > 0)) return { skipped: 'apply queue busy' };
      }
      const found = await findUnfinished(ctx.db, task === 'startup-sweep' ? 0 : ctx.config.hub.pipeline.staleAfterSeconds);
      await ctx.applyQueue.add(found.messages);
      await ctx.deliverQueues.add(found.deliveries);
      if (found.messages.length || found.deliveries.size) ctx.log.info({ task, messages: found.messages.length, deliveries: [...found.deliveries.values()].flat().length }, 'sweeper queued unfinished work');
      return found;
    }
    if (task === 'trace-deadlines') return runTraceDeadlineTask(ctx);
    if (task === 'statistics-reports') {
      const r = await runScheduledReports(ctx.db, ctx.config, ctx.reference, disclosureControl(ctx.config.hub));
      await ctx.deliverQueues.add(outboxByChannel(r.outbox));
      if (r.sent || r.withheld || r.failed.length) ctx.log.info({ task, sent: r.sent, withheld: r.withheld, failed: r.failed }, 'scheduled statistics reports');
      return { sent: r.sent, withheld: r.withheld, failed: r.failed };
    }
    if (task === 'record-reviews' || task === 'agreement-reminders') {
      const r = task === 'record-reviews' ? await runRecordReviews(ctx.db, ctx.config) : await runAgreementReminders(ctx.db, ctx.config);
      await ctx.deliverQueues.add(outboxByChannel(r.outbox));
      if (r.reminded || ('overdue' in r && r.overdue)) ctx.log.info({ task, reminded: r.reminded, ...('overdue' in r ? { overdue: r.overdue } : {}) }, 'reminders sent');
      return r;
    }
    const plan = await maintainPartitions(ctx.db, ctx.config.hub.retention.classes);
    const pruned = await pruneDedupKeys(ctx.db, ctx.config.hub.retention.idempotencyWindowDays);
    const expired = await pruneUnpartitioned(ctx.db, ctx.config);
    if (plan.created.length || plan.dropped.length || pruned || expired.outbox || expired.sftpFiles || expired.auditLog) {
      ctx.log.info({ ...plan, prunedDedupKeys: pruned, expiredOutbox: expired.outbox, expiredSftpFiles: expired.sftpFiles, expiredAuditEntries: expired.auditLog }, 'retention maintained');
    }
    return { ...plan, pruned, expired };
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    const { ctx } = this;
    await ctx.agencies.start();
    if (this.roles.workers) {
      ctx.applyQueue.startWorker((ids, attempt) => this.apply(ids, attempt));
      ctx.deliverQueues.startWorkers((channel, work) => this.deliver(channel, work));
      ctx.maintenanceQueue.startWorker((task) => this.runMaintenance(task));
      await ctx.maintenanceQueue.schedule();
      // Work left over by a crash is picked up at once, before new work arrives, not at the
      // first scheduled sweep.
      await this.runMaintenance('startup-sweep').catch((err: unknown) => ctx.log.warn({ err }, 'start-up sweep failed; the scheduled sweep will retry'));
      // Channel consumers last: new work arrives once everything that handles it runs.
      if (usesAmqp(ctx.config)) {
        // Back on the broker: replies parked while it was away go now, not at their circuit's retry time.
        ctx.amqp.onConnected(() => void resumeChannel(ctx, 'amqp').catch((err: unknown) => ctx.log.warn({ err }, 'could not resume AMQP deliveries; they go at their retry time')));
        await ctx.amqp.start({ intake: ctx.intake, metrics: ctx.metrics });
      }
      ctx.sftp.report();
      ctx.sftp.start({ db: ctx.db, redis: ctx.redis, intake: ctx.intake, leasePrefix: ctx.env.queuePrefix });
    }
    if (this.app) await this.app.listen({ host: ctx.env.host, port: ctx.env.port });
    ctx.log.info({ roles: this.roles, address: this.address() }, 'tracehub started');
  }

  address(): string | undefined {
    const a = this.app?.server.address();
    return a && typeof a === 'object' ? `http://${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}` : undefined;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const { ctx } = this;
    const step = async (name: string, fn: () => Promise<unknown>) => {
      ctx.log.debug({ step: name }, 'stopping');
      await fn();
    };
    ctx.log.info('tracehub stopping');
    // Channel consumers first (as HTTP intake): what they hold is stored and acknowledged.
    await step('amqp consumers', () => ctx.amqp.stopConsuming());
    await step('sftp pollers', () => ctx.sftp.stopPolling());
    await step('http', async () => this.app?.close());
    await step('intake', () => ctx.intake.drain());
    ctx.agencies.stop();
    await step('apply worker', () => ctx.applyQueue.closeWorker());
    await step('delivery workers', () => ctx.deliverQueues.closeWorkers());
    await step('maintenance worker', () => ctx.maintenanceQueue.closeWorker());
    await step('amqp connection', () => ctx.amqp.close());
    await step('sftp sessions', () => ctx.sftp.close());
    await step('queues', () => Promise.all([ctx.applyQueue.close(), ctx.deliverQueues.close(), ctx.maintenanceQueue.close()]));
    await step('redis', () => ctx.redis.quit().catch(() => ctx.redis.disconnect()));
    await step('postgres', () => this.database.close());
    ctx.log.info('tracehub stopped');
  }
}

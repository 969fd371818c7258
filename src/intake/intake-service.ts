import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { envelopeHeader, type AdapterContext, type FormatAdapter } from '../../adapters/formats/format-adapter.js';
import type { ApplyQueue } from '../../queues/apply.queue.js';
import type { DeliverQueues } from '../../queues/deliver.queue.js';
import { messageMaxDepth, retentionClassOf, type LoadedConfig } from '../config/load-config.js';
import type { Database } from '../db/database-types.js';
import { uuidv7, uuidv7Time } from '../ids/uuidv7.js';
import { GroupCommit } from '../ledger/group-commit.js';
import type { LedgerEntry, LedgerEvent, StoreOutcome } from '../ledger/ledger-types.js';
import { storeEntries, type EntryChange, type WithinStore } from '../ledger/ledger-writer.js';
import type { HubError } from '../errors/hub-error.js';
import { describeError, isRefusedValue } from '../errors/failure-class.js';
import type { Envelope, FieldError } from '../messages/generated-types.js';
import { extractBusinessKeys, type MessageTypeDefinition } from '../messages/message-types.js';
import type { SchemaCatalog } from '../messages/schema-catalog.js';
import type { HubMetrics } from '../observability/hub-metrics.js';
import { pausedCountries } from '../operations/partner-controls.js';
import type { AccessScope } from '../identity/agency-access.js';
import type { AgencyDirectory } from '../identity/agency-directory.js';
import type { IntakeApplication } from '../pipeline/apply-at-intake.js';
import { senderAccessError } from './sender-access.js';
import { rejectionReceipt } from '../pipeline/outbound-envelope.js';
import { storableError, storableHeaderValue, storableText, unstorableContent } from '../messages/storable-content.js';

/**
 * Intake: the one door every channel uses. It turns bytes into a ledger entry (normalise with the
 * partner's format adapter, validate against the schemas), stores the raw bytes with the outcome
 * in the ledger, and only then queues the message for apply. Normalising and validating here,
 * in memory, lets a synchronous channel (REST) answer with every field error at once; nothing is
 * applied before the raw message is committed.
 */
const ENQUEUE_DEADLINE_MS = 2_000;
const IDLE_CHECK_DEADLINE_MS = 100;

/** The ledger changes an intake application makes: applied or refused entries, or a note of why the queue has them. */
function changesOf(validated: readonly LedgerEntry[], app: IntakeApplication): Map<string, EntryChange> {
  const at = new Date();
  const changes = new Map<string, EntryChange>();
  for (const e of validated) {
    const outbound = app.applied.get(e.id);
    const refusal = app.refused.get(e.id);
    if (outbound !== undefined) changes.set(e.id, { status: 'applied', events: [{ stage: 'apply', event: 'applied', at, detail: { outbound, atIntake: true } }] });
    else if (refusal) {
      changes.set(e.id, {
        status: 'rejected',
        errors: refusal.errors,
        events: [{ stage: 'apply', event: 'rejected', at, reason: refusal.cause.message, detail: { code: refusal.cause.code, atIntake: true } }],
        outbox: refusal.receipt ? [refusal.receipt] : [],
      });
    } else if (app.deferred) changes.set(e.id, { events: [{ stage: 'apply', event: 'deferred', at, reason: app.deferred.reason, detail: { class: app.deferred.class } }] });
  }
  return changes;
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export interface Submission {
  channel: string;
  format: string;
  contentType: string;
  raw: Buffer;
  /** Who the channel authenticated; the envelope must name the same sender. */
  sender: { country: string | null; agency: string | null };
  /**
   * The scope its NCB approved for the sending agency (identity/agency-access.ts), when the channel
   * authenticated the agency and judged its access (REST): a message of a module outside it is
   * refused. Null: judged, and unscoped. Absent: the agency named is looked up (channels, replays).
   */
  scope?: AccessScope | null;
  /**
   * What the channel itself says of the message (AMQP message_id and correlation_id properties; a
   * replay, its original's conversation): used where the envelope names none, so a message too
   * broken to read is still answered in its sender's terms, and a replay stays in its conversation.
   */
  messageId?: string;
  correlationId?: string;
  replayOf?: string;
  fileId?: string;
  fileIndex?: number;
}

export interface IntakeResult {
  /** The hub's id for the message: the original's id when this one is a duplicate. */
  ledgerId: string;
  duplicate: boolean;
  duplicateReason?: 'message-id' | 'content';
  /**
   * 'rejected' at intake (its content or sender); 'validated' and queued for apply; or, when it was
   * applied as it was stored (apply at intake), 'applied' or 'refused' (valid, but its handler
   * rejected it: stored rejected, with a receipt, as the apply stage would).
   */
  status: 'validated' | 'applied' | 'refused' | 'rejected';
  /** Why its handler refused it (status 'refused'). */
  refusal?: HubError;
  /** Why the message was rejected: its content ('invalid'), who sent it ('forbidden'), or what its NCB allows the sender ('outside-scope'). */
  rejection?: 'invalid' | 'forbidden' | 'outside-scope';
  errors: FieldError[];
  messageId?: string;
  correlationId: string;
  type?: string;
}

interface Prepared {
  entry: LedgerEntry;
  result: Omit<IntakeResult, 'duplicate' | 'ledgerId'>;
}

export interface IntakeDeps {
  db: Kysely<Database>;
  config: LoadedConfig;
  catalog: SchemaCatalog;
  types: ReadonlyMap<string, MessageTypeDefinition>;
  formats: ReadonlyMap<string, FormatAdapter>;
  applyQueue: ApplyQueue;
  deliverQueues: DeliverQueues;
  log: Logger;
  metrics: HubMetrics;
  /** Known national entities, whose NCB's decision holds for what a channel carries in their name. */
  agencies?: Pick<AgencyDirectory, 'get'>;
  /** Apply at intake (see apply-at-intake.ts); absent in processes that only serve the API. */
  atIntake?: {
    apply(trx: Transaction<Database>, validated: readonly LedgerEntry[], paused: ReadonlySet<string>): Promise<IntakeApplication>;
    /** After the commit: bookkeeping, and queuing the deliveries of what was applied. */
    committed(app: IntakeApplication): Promise<void>;
  };
}

export class IntakeService {
  readonly #groupCommit: GroupCommit<Prepared, IntakeResult>;
  readonly #adapterContext: AdapterContext;
  readonly #maxDepth: number;

  constructor(private readonly deps: IntakeDeps) {
    this.#maxDepth = messageMaxDepth(deps.config);
    this.#adapterContext = {
      catalog: deps.catalog,
      payloadSchemaId: (type) => deps.types.get(type)?.schemaId,
      limits: { xmlMaxDepth: deps.config.hub.xml.maxDepth, xmlMaxBytes: deps.config.hub.xml.maxBytes },
    };
    this.#groupCommit = new GroupCommit<Prepared, IntakeResult>({
      maxBatch: deps.config.hub.pipeline.ingestMaxBatch,
      maxWaitMs: deps.config.hub.pipeline.ingestFlushMs,
      flush: (batch) => this.#storeApart(batch),
    });
  }

  /** One message; shares its ledger write with whatever else arrives within a few milliseconds. */
  submit(submission: Submission): Promise<IntakeResult> {
    return this.#groupCommit.submit(this.prepare(submission));
  }

  /** Many messages from one request or file: stored in batches of the group-commit size. */
  async submitMany(submissions: readonly Submission[]): Promise<IntakeResult[]> {
    const prepared = submissions.map((s) => this.prepare(s));
    const size = this.deps.config.hub.pipeline.ingestMaxBatch;
    const results: IntakeResult[] = [];
    for (let i = 0; i < prepared.length; i += size) results.push(...(await this.#storeApart(prepared.slice(i, i + size))));
    return results;
  }

  /** Waits for in-flight ledger writes (graceful shutdown). */
  async drain(): Promise<void> {
    await this.#groupCommit.drain();
    await this.deps.applyQueue.flush();
  }

  /** Normalise and validate in memory; no I/O. */
  prepare(s: Submission): Prepared {
    const { config, catalog, types, formats, metrics } = this.deps;
    const id = uuidv7();
    const receivedAt = uuidv7Time(id);
    const events: LedgerEvent[] = [{ stage: 'intake', event: 'received', at: receivedAt, detail: { channel: s.channel, format: s.format, bytes: s.raw.length } }];
    const errors: FieldError[] = [];
    let rejection: IntakeResult['rejection'];
    let envelope: Envelope | undefined;
    let header: ReturnType<typeof envelopeHeader> = {};
    let def: MessageTypeDefinition | undefined;
    let unstorable = false;

    const adapter = formats.get(s.format);
    let normalised: unknown;
    if (!adapter) {
      errors.push({ pointer: '/', code: 'format.unknown', message: `no format adapter named ${s.format}` });
    } else {
      try {
        const outcome = adapter.normalise(s.raw, { ...this.#adapterContext, sender: s.sender, receivedAt, contentType: s.contentType, ...(s.fileId !== undefined && s.fileIndex !== undefined ? { origin: { fileId: s.fileId, index: s.fileIndex } } : {}) });
        if (outcome.ok) normalised = outcome.envelope;
        else errors.push(...outcome.errors);
      } catch (err) {
        errors.push({ pointer: '/', code: 'format.adapter-failed', message: `the ${s.format} adapter failed: ${(err as Error).message}` });
      }
    }
    const now = new Date();
    if (errors.length) {
      events.push({ stage: 'normalise', event: 'rejected', at: now, reason: storableText(errors[0]!.message) });
      metrics.messages.inc({ stage: 'normalise', outcome: 'rejected' });
    } else {
      events.push({ stage: 'normalise', event: 'normalised', at: now, detail: { format: s.format } });
      const content = unstorableContent(normalised, this.#maxDepth);
      unstorable = content.errors.length > 0;
      errors.push(...content.errors);
      header = envelopeHeader(normalised);
      def = header.type ? types.get(header.type) : undefined;
      // The schemas need not be walked into a structure no message can have.
      if (!content.tooDeep) {
        errors.push(...catalog.check('urn:tracehub:schema:envelope', normalised));
        const payload = (normalised as { payload?: unknown }).payload;
        if (header.type && !def && !errors.some((e) => e.pointer === '/type')) {
          errors.push({ pointer: '/type', code: 'type.unknown', message: `"${header.type}" is not a message type the hub accepts (${[...types.values()].filter((t) => t.direction !== 'outbound').map((t) => t.type).join(', ')})` });
        } else if (def?.direction === 'outbound') {
          errors.push({ pointer: '/type', code: 'type.outbound-only', message: `"${def.type}" is sent by the hub and cannot be submitted to it` });
        } else if (def && payload && typeof payload === 'object') {
          errors.push(...catalog.check(def.schemaId, payload, '/payload'));
        }
      }
      const claimed = (normalised as { sender?: { country?: unknown; agency?: unknown } }).sender;
      if (s.sender.country && claimed && typeof claimed === 'object' && (claimed.country !== s.sender.country || (s.sender.agency && claimed.agency !== s.sender.agency))) {
        errors.push({ pointer: '/sender', code: 'sender.mismatch', message: `names ${String(claimed.country)}/${String(claimed.agency)} but the message was sent by ${s.sender.country}/${s.sender.agency ?? '*'}` });
        rejection = 'forbidden';
      }
      const access = def && senderAccessError(s, def.type, claimed?.agency, this.deps.agencies, now);
      if (access) {
        errors.push(access.error);
        rejection ??= access.rejection;
      }
      if (errors.length) {
        rejection ??= 'invalid';
        events.push({ stage: 'validate', event: 'rejected', at: now, reason: storableText(`${errors.length} error(s); first: ${errors[0]!.pointer} ${errors[0]!.message}`) });
        metrics.messages.inc({ stage: 'validate', outcome: 'rejected' });
      } else {
        envelope = normalised as Envelope;
        // A conversation needs an id from its first message on; the hub's own id serves.
        envelope.correlationId ??= storableHeaderValue(s.correlationId) ?? id;
        events.push({ stage: 'validate', event: 'validated', at: now });
        metrics.messages.inc({ stage: 'validate', outcome: 'validated' });
      }
    }
    if (errors.length) {
      rejection ??= 'invalid';
      // Errors may quote what they are about (a parser its input), unstorable text included.
      errors.splice(0, errors.length, ...errors.map(storableError));
    }
    const correlationId = envelope?.correlationId ?? header.correlationId ?? storableHeaderValue(s.correlationId) ?? id;
    const status = errors.length ? 'rejected' : 'validated';
    // A row of a partner's file is reported in the file's receipt, with its line; a receipt of its
    // own as well would tell the partner twice.
    const receipt =
      status === 'rejected' && s.fileId === undefined ? rejectionReceipt(config, { ledgerId: id, sender: s.sender, messageId: header.messageId ?? storableHeaderValue(s.messageId), correlationId, errors, now }) : undefined;
    const entry: LedgerEntry = {
      id,
      retentionClass: retentionClassOf(config, s.sender.country),
      receivedAt,
      channel: s.channel,
      format: s.format,
      contentType: storableText(s.contentType),
      senderCountry: s.sender.country,
      senderAgency: s.sender.agency,
      raw: s.raw,
      sha256: createHash('sha256').update(s.raw).digest(),
      // A file's row repeats another only from the same place of the same file (a resumed split);
      // the file itself is recognised by its own sha256 when sent again whole.
      ...(s.fileId !== undefined && s.fileIndex !== undefined ? { dedupSha256: createHash('sha256').update(`sftp-row\u0000${s.fileId}\u0000${s.fileIndex}`).digest() } : {}),
      messageId: header.messageId,
      type: header.type,
      correlationId,
      sentAt: header.sentAt,
      // What cannot be stored of the message is in its raw bytes only.
      businessKeys: unstorable ? [] : extractBusinessKeys(def, (normalised as { payload?: unknown } | undefined)?.payload),
      envelope: unstorable ? undefined : (envelope ?? normalised),
      status,
      errors,
      events,
      outbox: receipt ? [receipt] : [],
      replayOf: s.replayOf,
      fileId: s.fileId,
      fileIndex: s.fileIndex,
    };
    return {
      entry,
      result: {
        status,
        errors,
        correlationId,
        ...(rejection ? { rejection } : {}),
        ...(header.messageId ? { messageId: header.messageId } : {}),
        ...(header.type ? { type: header.type } : {}),
      },
    };
  }

  /**
   * Whether this batch may be applied as it is stored (only when nothing queued could be
   * overtaken), and which countries are paused. Asked while the storing transaction starts.
   */
  async #gate(): Promise<{ open: boolean; paused: ReadonlySet<string> }> {
    const { db, applyQueue } = this.deps;
    // Redis that does not answer at once leaves the queue's state unknown; the queue path is the safe one.
    const [idle, paused] = await Promise.all([withDeadline(applyQueue.isIdle(), IDLE_CHECK_DEADLINE_MS).catch(() => false), pausedCountries(db)]);
    return { open: idle, paused };
  }

  /**
   * Stores a batch. Should the database refuse a value of one message anyway (a data exception,
   * which the checks in prepare() are there to prevent), the halves are stored apart until that
   * message is alone: it alone is rejected and kept as its raw bytes, and the other senders'
   * messages that shared its flush are stored as if it had not been there.
   */
  async #storeApart(batch: Prepared[]): Promise<IntakeResult[]> {
    try {
      return await this.#store(batch);
    } catch (err) {
      if (!isRefusedValue(err)) throw err;
      if (batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        return [...(await this.#storeApart(batch.slice(0, half))), ...(await this.#storeApart(batch.slice(half)))];
      }
      this.deps.log.warn({ err, ledgerId: batch[0]!.entry.id }, 'the database refused a value of a message intake had accepted; kept as its raw bytes and rejected');
      return this.#store([this.#rawOnly(batch[0]!, err)]);
    }
  }

  /** The message as its raw bytes only, rejected with the database's reason. */
  #rawOnly(p: Prepared, err: unknown): Prepared {
    const e = p.entry;
    const now = new Date();
    const reason = storableText(`the hub could not store this message as it was sent: ${describeError(err)}`);
    const errors: FieldError[] = [{ pointer: '/', code: 'message.unstorable', message: reason }];
    const sender = { country: e.senderCountry, agency: e.senderAgency };
    const receipt = e.fileId === undefined ? rejectionReceipt(this.deps.config, { ledgerId: e.id, sender, messageId: undefined, correlationId: e.id, errors, now }) : undefined;
    return {
      entry: {
        ...e,
        messageId: undefined,
        type: undefined,
        correlationId: e.id,
        sentAt: undefined,
        businessKeys: [],
        envelope: undefined,
        status: 'rejected',
        errors,
        events: [e.events[0]!, { stage: 'intake', event: 'rejected', at: now, reason }],
        outbox: receipt ? [receipt] : [],
      },
      result: { status: 'rejected', rejection: 'invalid', errors, correlationId: e.id },
    };
  }

  async #store(batch: Prepared[]): Promise<IntakeResult[]> {
    const { db, applyQueue, deliverQueues, log, metrics, atIntake } = this.deps;
    let application: IntakeApplication | undefined;
    let within: WithinStore | undefined;
    if (atIntake && batch.some((p) => p.entry.status === 'validated')) {
      const gate = this.#gate();
      // Unobserved until the transaction needs it; a failure then fails the store like any other.
      gate.catch(() => undefined);
      within = async (trx, validated) => {
        const { open, paused } = await gate;
        if (!open) return new Map();
        application = await atIntake.apply(trx, validated, paused);
        return changesOf(validated, application);
      };
    }
    const outcomes: StoreOutcome[] = await metrics.time('store', () => storeEntries(db, batch.map((p) => p.entry), within));
    const applied = application?.applied;
    const refused = application?.refused;
    if (application && atIntake) {
      // The batch is committed and applied; what follows (queuing deliveries) must not fail the answer.
      await atIntake.committed(application).catch((err: unknown) => log.warn({ err }, 'applied at intake, but queuing what follows failed; the sweeper will'));
    }
    const toApply: string[] = [];
    const receipts = new Map<string, string[]>();
    const results = batch.map((p, i): IntakeResult => {
      const o = outcomes[i]!;
      if (!o.stored) {
        metrics.messages.inc({ stage: 'intake', outcome: 'duplicate' });
        // A sender repeats a message when it got no answer, maybe because the hub died between
        // storing and queuing it: queue the original again (applying is idempotent).
        if (o.originalStatus === 'validated') toApply.push(o.duplicateOf);
        // A repeat is answered as the original was; its own (possibly different) verdict is moot.
        return { ...p.result, ledgerId: o.duplicateOf, duplicate: true, duplicateReason: o.reason };
      }
      metrics.messages.inc({ stage: 'intake', outcome: 'stored' });
      const errors = p.entry.status === 'rejected' ? p.entry.errors : refused?.get(p.entry.id)?.errors;
      if (errors?.length) metrics.rejections.inc({ country: p.entry.senderCountry ?? 'none', channel: p.entry.channel, code: errors[0]!.code });
      for (const r of p.entry.outbox) receipts.set(r.channel, [...(receipts.get(r.channel) ?? []), r.id]);
      if (applied?.has(p.entry.id)) return { ...p.result, status: 'applied', ledgerId: p.entry.id, duplicate: false };
      const refusal = refused?.get(p.entry.id);
      if (refusal) return { ...p.result, status: 'refused', refusal: refusal.cause, errors: refusal.errors, ledgerId: p.entry.id, duplicate: false };
      if (p.entry.status === 'validated') toApply.push(p.entry.id);
      return { ...p.result, ledgerId: p.entry.id, duplicate: false };
    });
    applyQueue.enqueueSoon(toApply);
    if (receipts.size) {
      // Redis down must not hold the sender's answer: what is stored is safe, and the sweeper
      // queues it once Redis is back. So the enqueue gets a short deadline.
      await withDeadline(deliverQueues.add(receipts), ENQUEUE_DEADLINE_MS).catch((err: unknown) =>
        log.warn({ err, count: receipts.size }, 'receipts stored but not queued; the sweeper will pick them up'),
      );
    }
    return results;
  }
}

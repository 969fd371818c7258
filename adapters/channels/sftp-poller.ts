import { posix } from 'node:path';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../src/db/database-types.js';
import { uuidv7 } from '../../src/ids/uuidv7.js';
import type { IntakeService } from '../../src/intake/intake-service.js';
import type { SftpEndpoint } from './sftp-endpoint.js';
import { formatOf, workFile, WorkInterrupted, type FileIntakeDeps } from './sftp-file-intake.js';
import { insertFile, unfinishedFiles } from './sftp-file-store.js';
import { Lease } from './sftp-lease.js';
import type { RemoteEntry, SftpSession, SftpSessions } from './sftp-session.js';

/**
 * Polls one partner's SFTP inbox. Only the hub instance holding the endpoint's lease polls it;
 * the others keep trying to take the lease, so one takes over within a lease's time to live when
 * the holder dies. Each poll first finishes whatever a crash left half done, then takes the new
 * files that are complete, oldest first, one at a time.
 */
export interface SftpPollerDeps {
  db: Kysely<Database>;
  redis: Redis;
  intake: IntakeService;
  sessions: SftpSessions;
  log: Logger;
  /** Namespace of the lease keys: hub instances of one deployment share it (the queue prefix). */
  leasePrefix: string;
  instance: string;
  batchSize: number;
  limits: { maxMessageBytes: number; xmlMaxDepth: number };
}

const CLAIMED = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})__(.+)$/;
const MIN_LEASE_MS = 10_000;

/** Files in the inbox that the partner has finished writing, oldest first. */
export function completeFiles(endpoint: SftpEndpoint, entries: readonly RemoteEntry[]): RemoteEntry[] {
  const { convention, doneSuffix, tempSuffixes } = endpoint.completion;
  const files = entries.filter((e) => e.isFile && !e.name.startsWith('.'));
  let complete: RemoteEntry[];
  if (convention === 'done-file') {
    const names = new Set(files.map((f) => f.name));
    complete = files.filter((f) => !f.name.endsWith(doneSuffix) && names.has(`${f.name}${doneSuffix}`));
  } else {
    complete = files.filter((f) => !tempSuffixes.some((s) => f.name.endsWith(s)));
  }
  return complete.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
}

export class SftpPoller {
  readonly lease: Lease;
  #timer: NodeJS.Timeout | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #cycle: Promise<void> = Promise.resolve();
  #stopping = false;
  #dirsReady: SftpSession | undefined;
  #lastProblem: string | undefined;
  /** Files this instance finished, for operators and tests. */
  filesDone = 0;
  /**
   * Inbox files whose names the hub cannot address: SFTP names are UTF-8 (the protocol says so),
   * and a server that sends other bytes has them arrive replaced by U+FFFD, so no rename can find
   * the file. They are named once in a warning and left for the partner to rename.
   */
  readonly unaddressable = new Set<string>();
  polls = 0;

  constructor(
    private readonly deps: SftpPollerDeps,
    readonly endpoint: SftpEndpoint,
  ) {
    const ttl = Math.max(MIN_LEASE_MS, endpoint.pollIntervalMs * 3);
    this.lease = new Lease(deps.redis, `${deps.leasePrefix}:sftp:lease:${endpoint.key}`, ttl, deps.instance);
  }

  get #log(): Logger {
    return this.deps.log;
  }

  start(): void {
    this.#stopping = false;
    this.#schedule(0);
  }

  #schedule(delayMs: number): void {
    if (this.#stopping) return;
    this.#timer = setTimeout(() => {
      this.#cycle = this.#cycle.then(() => this.#poll()).finally(() => this.#schedule(this.endpoint.pollIntervalMs));
    }, delayMs);
  }

  #problem(err: unknown, what: string): void {
    const message = `${what}: ${(err as Error).message}`;
    // Said once while it lasts, not at every poll.
    if (message !== this.#lastProblem) this.#log.warn({ err, endpoint: this.endpoint.key }, `SFTP ${what}`);
    this.#lastProblem = message;
  }

  async #poll(): Promise<void> {
    if (this.#stopping) return;
    try {
      const had = this.lease.held;
      if (!(await this.lease.acquire())) {
        if (had) this.#log.warn({ endpoint: this.endpoint.key }, 'SFTP lease lost; another hub instance polls this endpoint now');
        this.#stopRenewing();
        return;
      }
      if (!had) {
        this.#log.info({ endpoint: this.endpoint.key, owner: this.lease.owner }, 'SFTP lease taken; this instance polls the endpoint');
        this.#startRenewing();
      }
    } catch (err) {
      this.#problem(err, 'lease unavailable');
      return;
    }
    this.polls += 1;
    let session: SftpSession | undefined;
    try {
      session = await this.deps.sessions.get(this.endpoint.key, this.endpoint.connection);
      await this.#pollWith(session);
      if (this.#lastProblem) this.#log.info({ endpoint: this.endpoint.key }, 'SFTP endpoint works again');
      this.#lastProblem = undefined;
    } catch (err) {
      if (err instanceof WorkInterrupted) {
        this.#log.info({ endpoint: this.endpoint.key, reason: err.message }, 'SFTP work interrupted; it resumes where it stopped');
        return;
      }
      this.#problem(err, `poll of ${this.endpoint.country} failed`);
      this.deps.sessions.discard(this.endpoint.key);
    }
  }

  #fileDeps(): FileIntakeDeps {
    return {
      db: this.deps.db,
      intake: this.deps.intake,
      log: this.deps.log.child({ channel: 'sftp', country: this.endpoint.country }),
      batchSize: this.deps.batchSize,
      limits: this.deps.limits,
      mayContinue: () => !this.#stopping && this.lease.held,
    };
  }

  async #pollWith(session: SftpSession): Promise<void> {
    const { endpoint } = this;
    const { paths } = endpoint;
    if (this.#dirsReady !== session) {
      for (const dir of [paths.inbox, paths.outbox, paths.processing, paths.processed, paths.failed]) await session.ensureDir(dir);
      this.#dirsReady = session;
    }
    const deps = this.#fileDeps();
    const mayGoOn = () => {
      if (!deps.mayContinue()) throw new WorkInterrupted('lease lost or stopping');
    };

    // 1. What a crash (here or in another instance) left half done.
    for (const row of await unfinishedFiles(this.deps.db, endpoint.key)) {
      mayGoOn();
      await workFile(deps, session, endpoint, row);
      this.filesDone += 1;
    }
    // 2. Files claimed (renamed into processing/) by an instance that died before recording them.
    const claimed = (await session.list(paths.processing)).map((e) => ({ e, m: CLAIMED.exec(e.name) })).filter((x) => x.e.isFile && x.m);
    if (claimed.length) {
      const known = new Set(
        (await this.deps.db.selectFrom('sftp_files').select('id').where('id', 'in', claimed.map((c) => c.m![1]!)).execute()).map((r) => r.id),
      );
      for (const { e, m } of claimed) {
        if (known.has(m![1]!)) continue;
        mayGoOn();
        await this.#take(session, deps, m![1]!, m![2]!, posix.join(paths.processing, e.name));
      }
    }
    // 3. New files, complete ones only.
    for (const entry of completeFiles(endpoint, await session.list(paths.inbox))) {
      mayGoOn();
      if (entry.name.includes('\ufffd')) {
        if (!this.unaddressable.has(entry.name)) {
          this.unaddressable.add(entry.name);
          this.#log.warn({ endpoint: endpoint.key, file: entry.name }, 'SFTP file left in the inbox: its name is not UTF-8, so the hub cannot address it; the partner must rename it');
        }
        continue;
      }
      const id = uuidv7();
      const claimedPath = posix.join(paths.processing, `${id}__${entry.name}`);
      try {
        await session.rename(posix.join(paths.inbox, entry.name), claimedPath);
      } catch (err) {
        // Gone: taken by another instance, or withdrawn by the partner.
        this.#log.debug({ err, file: entry.name }, 'SFTP file could not be claimed');
        continue;
      }
      if (endpoint.completion.convention === 'done-file') await session.remove(posix.join(paths.inbox, `${entry.name}${endpoint.completion.doneSuffix}`));
      await this.#take(session, deps, id, entry.name, claimedPath);
    }
  }

  async #take(session: SftpSession, deps: FileIntakeDeps, id: string, name: string, claimedPath: string): Promise<void> {
    const format = formatOf(this.endpoint, name);
    await insertFile(this.deps.db, { id, country: this.endpoint.country, endpoint: this.endpoint.key, name, claimedPath, format });
    this.#log.info({ fileId: id, file: name, country: this.endpoint.country, format }, 'SFTP file claimed');
    const row = await this.deps.db.selectFrom('sftp_files').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    await workFile(deps, session, this.endpoint, row);
    this.filesDone += 1;
  }

  #startRenewing(): void {
    this.#stopRenewing();
    const every = Math.max(1000, Math.floor(Math.max(MIN_LEASE_MS, this.endpoint.pollIntervalMs * 3) / 3));
    this.#renewTimer = setInterval(() => {
      void this.lease.renew().then((ok) => {
        if (!ok) {
          this.#log.warn({ endpoint: this.endpoint.key }, 'SFTP lease could not be renewed; work on the endpoint stops');
          this.#stopRenewing();
        }
      });
    }, every);
  }

  #stopRenewing(): void {
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
  }

  /** Stops polling: the file in hand stops at its next batch, and resumes after the next start. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#cycle.catch(() => undefined);
    this.#stopRenewing();
    await this.lease.release();
  }

  /** Polls now, once (tests, and an operator's "look now"). */
  async pollNow(): Promise<void> {
    // Chained after the poll in progress: one poll at a time per endpoint and instance.
    const run = this.#cycle.catch(() => undefined).then(() => this.#poll());
    this.#cycle = run;
    await run;
  }
}

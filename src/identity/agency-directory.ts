import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database-types.js';
import { accessOf, type AgencyAccess } from './agency-access.js';

/**
 * The access of every national entity the hub knows, in memory, for the channels. A partner's AMQP
 * queue or SFTP drop authenticates a country, not an agency, so a message it carries names its
 * agency only in the envelope. When that agency is one the hub knows, its NCB's decision holds on
 * the channel as on the REST API: intake asks here, without a query per message. The table is
 * small and read whole; it is reloaded every few seconds, and at once after a change made in this
 * process, so another process sees a suspension within the same delay as a revoked key.
 */
export class AgencyDirectory {
  #byName = new Map<string, AgencyAccess>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly refreshMs: number,
    private readonly log: Logger,
  ) {}

  async refresh(): Promise<void> {
    const rows = await this.db
      .selectFrom('agencies')
      .select(['country', 'code', 'role', 'access_status', 'access_scope', 'access_reason', 'disabled_at'])
      .select(sql<string | null>`access_until::text`.as('access_until'))
      .where('role', '=', 'agency')
      .execute();
    const next = new Map<string, AgencyAccess>();
    for (const r of rows) {
      // A disabled agency is not unknown: it is refused, whatever its NCB decided before.
      const disabled = r.disabled_at !== null;
      next.set(`${r.country}/${r.code}`, accessOf(disabled ? { ...r, access_status: 'revoked', access_reason: 'the agency is disabled on the hub' } : r));
    }
    this.#byName = next;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh().catch((err: unknown) => this.log.warn({ err }, 'agency directory not refreshed; the last one stays in use')), this.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The access of a known national entity; undefined for a name the hub does not know (or an NCB). */
  get(country: string, code: string): AgencyAccess | undefined {
    return this.#byName.get(`${country}/${code}`);
  }
}

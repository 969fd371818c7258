import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AgencyRole, Database } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import { accessOf, type AgencyAccess } from './agency-access.js';
import { issueApiKey, parseApiKey, secretMatches } from './api-keys.js';

export interface Caller {
  agencyId: string;
  country: string | null;
  agency: string;
  role: AgencyRole;
  keyId: string;
  /** Whether its NCB lets it in, and to what (identity/agency-access.ts). */
  access: AgencyAccess;
}

/** How the audit log names a caller: COUNTRY/AGENCY, or hub/AGENCY for hub administrators. */
export function actorName(c: Pick<Caller, 'country' | 'agency'>): string {
  return `${c.country ?? 'hub'}/${c.agency}`;
}

export interface NewAgency {
  country: string | null;
  code: string;
  name: string;
  role: AgencyRole;
}

export async function createAgency(db: Kysely<Database>, a: NewAgency, actor: string): Promise<{ id: string }> {
  if (a.role !== 'hub_admin' && !a.country) throw new HubError('BAD_REQUEST', 'an agency of role ncb or agency belongs to a country');
  const id = randomUUID();
  try {
    await db.transaction().execute(async (trx) => {
      // A national entity waits for its NCB's approval (user-agreements.ts); NCBs and hub admins do not.
      const access_status = a.role === 'agency' ? 'pending' : 'approved';
      await trx.insertInto('agencies').values({ id, country: a.country, code: a.code, name: a.name, role: a.role, disabled_at: null, access_status }).execute();
      await trx.insertInto('audit_log').values({ actor, action: 'agency.create', target: id, detail: JSON.stringify(a) }).execute();
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new HubError('CONFLICT', `agency ${a.country ?? '-'}/${a.code} already exists`);
    throw err;
  }
  return { id };
}

export async function createApiKey(db: Kysely<Database>, agencyId: string, label: string | null, actor: string): Promise<{ id: string; key: string }> {
  const agency = await db.selectFrom('agencies').select('id').where('id', '=', agencyId).executeTakeFirst();
  if (!agency) throw new HubError('NOT_FOUND', `no agency ${agencyId}`);
  const issued = issueApiKey();
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('api_keys').values({ id: issued.id, agency_id: agencyId, secret_hash: issued.secretHash, label, revoked_at: null, last_used_at: null }).execute();
    await trx.insertInto('audit_log').values({ actor, action: 'apikey.create', target: issued.id, detail: JSON.stringify({ agencyId, label }) }).execute();
  });
  return { id: issued.id, key: issued.key };
}

export async function revokeApiKey(db: Kysely<Database>, keyId: string, actor: string): Promise<void> {
  const r = await db.updateTable('api_keys').set({ revoked_at: new Date() }).where('id', '=', keyId).where('revoked_at', 'is', null).executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw new HubError('NOT_FOUND', `no active API key ${keyId}`);
  await db.insertInto('audit_log').values({ actor, action: 'apikey.revoke', target: keyId, detail: null }).execute();
}

/**
 * Resolves an API key to its agency. Verified keys are cached for a few seconds (configurable)
 * to keep a database round trip off every request; a revocation therefore takes effect within
 * that many seconds.
 */
export class KeyVerifier {
  readonly #cache = new Map<string, { caller: Caller; secretHash: Buffer; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly cacheMs: number,
  ) {}

  async verify(key: string): Promise<Caller | undefined> {
    const parsed = parseApiKey(key);
    if (!parsed) return undefined;
    const cached = this.#cache.get(parsed.id);
    if (cached && cached.until > Date.now()) return secretMatches(parsed.secret, cached.secretHash) ? cached.caller : undefined;
    const row = await this.db
      .selectFrom('api_keys as k')
      .innerJoin('agencies as a', 'a.id', 'k.agency_id')
      .select(['k.id as keyId', 'k.secret_hash', 'a.id as agencyId', 'a.country', 'a.code', 'a.role', 'a.access_status', 'a.access_scope', 'a.access_reason'])
      .select(sql<string | null>`a.access_until::text`.as('access_until'))
      .where('k.id', '=', parsed.id)
      .where('k.revoked_at', 'is', null)
      .where('a.disabled_at', 'is', null)
      .executeTakeFirst();
    if (!row || !secretMatches(parsed.secret, row.secret_hash)) {
      this.#cache.delete(parsed.id);
      return undefined;
    }
    const caller: Caller = { agencyId: row.agencyId, country: row.country, agency: row.code, role: row.role, keyId: row.keyId, access: accessOf(row) };
    if (this.cacheMs > 0) this.#cache.set(parsed.id, { caller, secretHash: row.secret_hash, until: Date.now() + this.cacheMs });
    void this.db.updateTable('api_keys').set({ last_used_at: new Date() }).where('id', '=', row.keyId).execute().catch(() => undefined);
    return caller;
  }

  forget(keyId: string): void {
    this.#cache.delete(keyId);
  }

  /** Drops an agency's cached keys, so a change of its access applies to its next request here. */
  forgetAgency(agencyId: string): void {
    for (const [id, c] of this.#cache) if (c.caller.agencyId === agencyId) this.#cache.delete(id);
  }
}

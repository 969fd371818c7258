import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AccessStatus, AgencyRole, Database } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import type { FieldError } from '../messages/generated-types.js';
import { MODULES, todayUtc, type AccessScope } from './agency-access.js';
import { actorName, type Caller } from './agency-repository.js';

/**
 * The NCB's side of agency access: it approves a national entity on a signed user agreement,
 * renews it, suspends, reinstates or revokes it. Every change is one transaction with its audit
 * entry, taken under a lock on the agency row so that two NCB operators cannot interleave.
 */
export interface AgreementInput {
  reference: string;
  signedOn: string;
  signedBy: string;
  validUntil?: string;
  scope: AccessScope;
  documentSha256?: string;
}

/** How long an agreement runs when the NCB names no end; RPD reviews data within five years at most. */
export const DEFAULT_AGREEMENT_YEARS = 3;
export const MAX_AGREEMENT_YEARS = 5;

export interface AgencyView {
  id: string;
  country: string | null;
  code: string;
  name: string;
  role: AgencyRole;
  createdAt: string;
  disabled: boolean;
  access: {
    status: AccessStatus | 'expired';
    scope: AccessScope | null;
    validUntil: string | null;
    reason: string | null;
    changedAt: string | null;
  };
  agreement: AgreementView | null;
}

export interface AgreementView {
  id: string;
  reference: string;
  signedOn: string;
  signedBy: string;
  validUntil: string;
  scope: AccessScope;
  documentSha256: string | null;
  approvedBy: string;
  approvedAt: string;
  endedAt: string | null;
  endReason: string | null;
}

function addYears(date: string, years: number): string {
  return `${String(Number(date.slice(0, 4)) + years).padStart(4, '0')}${date.slice(4)}`.replace(/-02-29$/, '-02-28');
}

/** Field errors of an agreement as an NCB records it (the route's schema has checked the shapes). */
export function agreementErrors(a: AgreementInput, today: string): FieldError[] {
  const errors: FieldError[] = [];
  if (a.signedOn > today) errors.push({ pointer: '/body/signedOn', code: 'agreement.signed-in-future', message: `${a.signedOn} is after today (${today})` });
  const until = a.validUntil ?? addYears(a.signedOn, DEFAULT_AGREEMENT_YEARS);
  const latest = addYears(a.signedOn, MAX_AGREEMENT_YEARS);
  if (until < today)
    errors.push({ pointer: '/body/validUntil', code: 'agreement.expired', message: a.validUntil ? `${until} has passed` : `signed on ${a.signedOn}, the agreement ran out on ${until} (${DEFAULT_AGREEMENT_YEARS} years); name a validUntil of a renewed agreement` });
  else if (until > latest) errors.push({ pointer: '/body/validUntil', code: 'agreement.too-long', message: `${until} is more than ${MAX_AGREEMENT_YEARS} years after signedOn (${latest} at most)` });
  if (!MODULES.some((m) => a.scope[m])) errors.push({ pointer: '/body/scope', code: 'agreement.empty-scope', message: `grants no module; name at least one of ${MODULES.join(', ')}` });
  return errors;
}

interface Locked {
  id: string;
  country: string | null;
  role: AgencyRole;
  access_status: AccessStatus;
  disabled_at: Date | null;
}

/** Locks the agency for a change by the caller, who must be the NCB of its country. */
async function lockForNcb(trx: Transaction<Database>, agencyId: string, ncb: Caller): Promise<Locked> {
  const row = await trx.selectFrom('agencies').select(['id', 'country', 'role', 'access_status', 'disabled_at']).where('id', '=', agencyId).forUpdate().executeTakeFirst();
  if (row && ncb.role !== 'ncb') throw new HubError('FORBIDDEN', `only the National Central Bureau of ${row.country ?? 'its country'} approves or suspends an agency`);
  // To another country's NCB, an agency is not even acknowledged to exist.
  if (!row || row.country !== ncb.country) throw new HubError('NOT_FOUND', `no agency ${agencyId} of ${ncb.country}`);
  if (row.role !== 'agency') throw new HubError('CONFLICT', `${agencyId} is ${row.role === 'ncb' ? 'a National Central Bureau' : 'a hub administrator'}: its access needs no approval`);
  if (row.disabled_at) throw new HubError('CONFLICT', `${agencyId} is disabled`);
  return row;
}

async function setAccess(
  trx: Transaction<Database>,
  agencyId: string,
  change: { status: AccessStatus; reason: string | null; scope?: AccessScope | null; until?: string | null },
): Promise<void> {
  await trx
    .updateTable('agencies')
    .set({
      access_status: change.status,
      access_reason: change.reason,
      access_changed_at: new Date(),
      ...(change.scope !== undefined ? { access_scope: change.scope === null ? null : JSON.stringify(change.scope) } : {}),
      ...(change.until !== undefined ? { access_until: change.until } : {}),
    })
    .where('id', '=', agencyId)
    .execute();
}

async function audit(trx: Transaction<Database>, actor: Caller, action: string, target: string, detail: unknown): Promise<void> {
  await trx.insertInto('audit_log').values({ actor: actorName(actor), action, target, detail: JSON.stringify(detail) }).execute();
}

/**
 * Records a signed user agreement and approves the agency under its scope. An agreement already in
 * force is ended as renewed: this is also how an NCB re-certifies an agency or changes its scope.
 */
export async function approveAgency(db: Kysely<Database>, agencyId: string, a: AgreementInput, ncb: Caller, now = new Date()): Promise<void> {
  const errors = agreementErrors(a, todayUtc(now));
  if (errors.length) throw new HubError('BAD_REQUEST', `${errors.length} error(s) in the user agreement`, errors);
  const validUntil = a.validUntil ?? addYears(a.signedOn, DEFAULT_AGREEMENT_YEARS);
  await db.transaction().execute(async (trx) => {
    const agency = await lockForNcb(trx, agencyId, ncb);
    const renewed = await trx.updateTable('agency_agreements').set({ ended_at: now, end_reason: 'renewed' }).where('agency_id', '=', agencyId).where('ended_at', 'is', null).executeTakeFirst();
    await trx
      .insertInto('agency_agreements')
      .values({
        id: randomUUID(),
        agency_id: agencyId,
        reference: a.reference,
        signed_on: a.signedOn,
        signed_by: a.signedBy,
        valid_until: validUntil,
        scope: JSON.stringify(a.scope),
        document_sha256: a.documentSha256 ? Buffer.from(a.documentSha256, 'hex') : null,
        approved_by: actorName(ncb),
        approved_at: now,
        ended_at: null,
        end_reason: null,
      })
      .execute();
    await setAccess(trx, agencyId, { status: 'approved', reason: null, scope: a.scope, until: validUntil });
    await audit(trx, ncb, 'agency.approve', agencyId, { ...a, validUntil, previously: agency.access_status, renewed: Number(renewed.numUpdatedRows) > 0 });
  });
}

export async function suspendAgency(db: Kysely<Database>, agencyId: string, reason: string, ncb: Caller): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const agency = await lockForNcb(trx, agencyId, ncb);
    if (agency.access_status !== 'approved') throw new HubError('CONFLICT', `only an approved agency can be suspended; ${agencyId} is ${agency.access_status}`);
    await setAccess(trx, agencyId, { status: 'suspended', reason });
    await audit(trx, ncb, 'agency.suspend', agencyId, { reason });
  });
}

/** Lifts a suspension: the agreement in force applies again (an expired one still refuses access). */
export async function reinstateAgency(db: Kysely<Database>, agencyId: string, reason: string | null, ncb: Caller): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const agency = await lockForNcb(trx, agencyId, ncb);
    if (agency.access_status !== 'suspended') throw new HubError('CONFLICT', `only a suspended agency can be reinstated; ${agencyId} is ${agency.access_status}`);
    await setAccess(trx, agencyId, { status: 'approved', reason: null });
    await audit(trx, ncb, 'agency.reinstate', agencyId, { reason });
  });
}

/** Ends the agreement in force: only a new one, approved again, restores access. */
export async function revokeAgency(db: Kysely<Database>, agencyId: string, reason: string, ncb: Caller, now = new Date()): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const agency = await lockForNcb(trx, agencyId, ncb);
    if (agency.access_status === 'revoked') throw new HubError('CONFLICT', `${agencyId} is already revoked`);
    await trx.updateTable('agency_agreements').set({ ended_at: now, end_reason: 'revoked' }).where('agency_id', '=', agencyId).where('ended_at', 'is', null).execute();
    await setAccess(trx, agencyId, { status: 'revoked', reason, scope: null, until: null });
    await audit(trx, ncb, 'agency.revoke', agencyId, { reason, previously: agency.access_status });
  });
}

export interface AgencyFilter {
  id?: string;
  country?: string;
  status?: AccessStatus | 'expired';
  /** Approved agencies whose agreement ends within this many days (re-certification due). */
  expiringWithinDays?: number;
  after?: string;
  limit: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface AgreementRow {
  id: string;
  reference: string;
  signed_on: string;
  signed_by: string;
  valid_until: string;
  scope: unknown;
  document_sha256: Buffer | null;
  approved_by: string;
  approved_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

function agreementView(r: AgreementRow): AgreementView {
  return {
    id: r.id,
    reference: r.reference,
    signedOn: r.signed_on,
    signedBy: r.signed_by,
    validUntil: r.valid_until,
    scope: r.scope as AccessScope,
    documentSha256: r.document_sha256 ? r.document_sha256.toString('hex') : null,
    approvedBy: r.approved_by,
    approvedAt: r.approved_at.toISOString(),
    endedAt: iso(r.ended_at),
    endReason: r.end_reason,
  };
}

/** Agencies with their access and current agreement, ordered by id; NCBs see their own country's only (the caller scopes `country`). */
export async function listAgencies(db: Kysely<Database>, f: AgencyFilter, now = new Date()): Promise<AgencyView[]> {
  const today = todayUtc(now);
  let q = db
    .selectFrom('agencies as a')
    .leftJoin('agency_agreements as g', (j) => j.onRef('g.agency_id', '=', 'a.id').on('g.ended_at', 'is', null))
    .select([
      'a.id',
      'a.country',
      'a.code',
      'a.name',
      'a.role',
      'a.created_at',
      'a.disabled_at',
      'a.access_status',
      'a.access_scope',
      sql<string | null>`a.access_until::text`.as('access_until'),
      'a.access_reason',
      'a.access_changed_at',
      'g.id as g_id',
      'g.reference',
      sql<string | null>`g.signed_on::text`.as('signed_on'),
      'g.signed_by',
      sql<string | null>`g.valid_until::text`.as('valid_until'),
      'g.scope',
      'g.document_sha256',
      'g.approved_by',
      'g.approved_at',
    ]);
  if (f.id) q = q.where('a.id', '=', f.id);
  if (f.country) q = q.where('a.country', '=', f.country);
  if (f.status === 'expired') q = q.where('a.access_status', '=', 'approved').where(sql<boolean>`a.access_until < ${today}::date`);
  else if (f.status === 'approved') q = q.where('a.access_status', '=', 'approved').where(sql<boolean>`coalesce(a.access_until >= ${today}::date, true)`);
  else if (f.status) q = q.where('a.access_status', '=', f.status);
  if (f.expiringWithinDays !== undefined)
    q = q.where('a.access_status', '=', 'approved').where(sql<boolean>`a.access_until between ${today}::date and ${today}::date + ${f.expiringWithinDays}::int`);
  if (f.after) q = q.where('a.id', '>', f.after);
  const rows = await q.orderBy('a.id').limit(f.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    country: r.country,
    code: r.code,
    name: r.name,
    role: r.role,
    createdAt: (r.created_at as Date).toISOString(),
    disabled: r.disabled_at !== null,
    access: {
      status: r.access_status === 'approved' && r.access_until !== null && r.access_until < today ? 'expired' : r.access_status,
      scope: (r.access_scope as AccessScope | null) ?? null,
      validUntil: r.access_until,
      reason: r.access_reason,
      changedAt: iso(r.access_changed_at as Date | null),
    },
    agreement: r.g_id
      ? agreementView({
          id: r.g_id,
          reference: r.reference!,
          signed_on: r.signed_on!,
          signed_by: r.signed_by!,
          valid_until: r.valid_until!,
          scope: r.scope,
          document_sha256: r.document_sha256,
          approved_by: r.approved_by!,
          approved_at: r.approved_at as Date,
          ended_at: null,
          end_reason: null,
        })
      : null,
  }));
}

/** Every agreement recorded for an agency, newest first. */
export async function agreementHistory(db: Kysely<Database>, agencyId: string): Promise<AgreementView[]> {
  const rows = await db
    .selectFrom('agency_agreements')
    .select([
      'id',
      'reference',
      sql<string>`signed_on::text`.as('signed_on'),
      'signed_by',
      sql<string>`valid_until::text`.as('valid_until'),
      'scope',
      'document_sha256',
      'approved_by',
      'approved_at',
      'ended_at',
      'end_reason',
    ])
    .where('agency_id', '=', agencyId)
    .orderBy('approved_at', 'desc')
    .execute();
  return rows.map((r) => agreementView({ ...r, ended_at: r.ended_at as Date | null }));
}

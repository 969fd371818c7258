import type { Kysely } from 'kysely';
import type { Database, HitStatus, HitTier, SerialTier } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import { uuidv7 } from '../ids/uuidv7.js';
import type { FirearmDescription, SeizureReport } from '../messages/generated-types.js';
import type { HitFacts, RecordSide, SeizureSide } from './hit-notifications.js';

/**
 * Hits: one row per (seized firearm, record) pair, however often the pair is found (a replayed
 * seizure, a record resent by its registry): the unique pair makes recording a hit idempotent, and
 * only a newly recorded hit is notified.
 */
export interface NewHit {
  seizureItemId: string;
  seizureId: string;
  recordId: string;
  recordOwnerCountry: string;
  seizingCountry: string;
  foundBy: 'seizure' | 'record';
  tier: HitTier;
  score: number;
  serialTier: SerialTier;
  explanation: string[];
}

/** Records the hits not recorded before; returns the ids of the new ones, keyed by "item:record". */
export async function insertHits(trx: Kysely<Database>, hits: readonly NewHit[], now: Date): Promise<Map<string, string>> {
  if (hits.length === 0) return new Map();
  const rows = await trx
    .insertInto('hits')
    .values(
      hits.map((h) => ({
        id: uuidv7(now.getTime()),
        seizure_item_id: h.seizureItemId,
        seizure_id: h.seizureId,
        record_id: h.recordId,
        record_owner_country: h.recordOwnerCountry,
        seizing_country: h.seizingCountry,
        found_by: h.foundBy,
        tier: h.tier,
        score: h.score,
        serial_tier: h.serialTier,
        explanation: JSON.stringify(h.explanation),
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['seizure_item_id', 'record_id']).doNothing())
    .returning(['id', 'seizure_item_id', 'record_id'])
    .execute();
  return new Map(rows.map((r) => [`${r.seizure_item_id}:${r.record_id}`, r.id]));
}

export interface HitDetail extends HitFacts {
  createdAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  seizure: SeizureSide;
  record: RecordSide;
}

function hitQuery(db: Pick<Kysely<Database>, 'selectFrom'>) {
  return db
    .selectFrom('hits as h')
    .innerJoin('seizure_items as si', 'si.id', 'h.seizure_item_id')
    .innerJoin('seizures as s', 's.id', 'h.seizure_id')
    .innerJoin('records as r', 'r.id', 'h.record_id')
    .select([
      'h.id', 'h.status', 'h.tier', 'h.score', 'h.serial_tier', 'h.explanation', 'h.found_by', 'h.created_at', 'h.decided_by', 'h.decided_at', 'h.decision_reason',
      's.id as seizure_id', 's.country as seizure_country', 's.agency as seizure_agency', 's.seizure_reference', 's.seized_on', 's.report',
      'si.item_index', 'si.item_reference', 'si.firearm as item_firearm',
      'r.id as record_id', 'r.owner_country', 'r.owner_agency', 'r.owner_reference', 'r.status as record_status', 'r.firearm as record_firearm', 'r.event as record_event',
      'r.visibility', 'r.visibility_countries', 'r.confidentiality',
    ]);
}

type HitRow = Awaited<ReturnType<ReturnType<typeof hitQuery>['executeTakeFirstOrThrow']>>;

function toDetail(r: HitRow): HitDetail {
  return {
    id: r.id,
    status: r.status,
    tier: r.tier,
    score: r.score,
    serialTier: r.serial_tier,
    explanation: r.explanation as string[],
    foundBy: r.found_by,
    createdAt: r.created_at,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    decisionReason: r.decision_reason,
    seizure: {
      id: r.seizure_id,
      country: r.seizure_country,
      agency: r.seizure_agency,
      seizureReference: r.seizure_reference,
      seizedOn: r.seized_on.toISOString().slice(0, 10),
      report: r.report as SeizureReport,
      item: { index: r.item_index, itemReference: r.item_reference, firearm: r.item_firearm as FirearmDescription },
    },
    record: {
      id: r.record_id,
      owner_country: r.owner_country,
      owner_agency: r.owner_agency,
      owner_reference: r.owner_reference,
      status: r.record_status,
      firearm: r.record_firearm as FirearmDescription,
      event: r.record_event as RecordSide['event'],
      visibility: r.visibility,
      visibility_countries: r.visibility_countries,
      confidentiality: r.confidentiality,
    },
  };
}

export async function findHit(db: Pick<Kysely<Database>, 'selectFrom'>, id: string, options: { forUpdate?: boolean } = {}): Promise<HitDetail | undefined> {
  let q = hitQuery(db).where('h.id', '=', id);
  if (options.forUpdate) q = q.forUpdate('h');
  const row = await q.executeTakeFirst();
  return row ? toDetail(row) : undefined;
}

export interface HitFilter {
  /** Hits on the caller's records, or on the caller's seizures. */
  side: 'owner' | 'seizing';
  country: string;
  status?: HitStatus | undefined;
  tier?: HitTier | undefined;
  seizureId?: string | undefined;
  after?: string | undefined;
  limit: number;
}

export async function listHits(db: Pick<Kysely<Database>, 'selectFrom'>, f: HitFilter): Promise<HitDetail[]> {
  let q = hitQuery(db).where(f.side === 'owner' ? 'h.record_owner_country' : 'h.seizing_country', '=', f.country);
  if (f.status) q = q.where('h.status', '=', f.status);
  if (f.tier) q = q.where('h.tier', '=', f.tier);
  if (f.seizureId) q = q.where('h.seizure_id', '=', f.seizureId);
  if (f.after) q = q.where('h.id', '<', f.after);
  const rows = await q.orderBy('h.id', 'desc').limit(f.limit).execute();
  return rows.map(toDetail);
}

export async function hitsOfSeizure(db: Pick<Kysely<Database>, 'selectFrom'>, seizureId: string): Promise<HitDetail[]> {
  const rows = await hitQuery(db).where('h.seizure_id', '=', seizureId).orderBy('si.item_index').orderBy('h.score', 'desc').execute();
  return rows.map(toDetail);
}

/** The owner's decision. Only a pending hit can be decided, once; a second decision is a 409 naming the first. */
export async function recordDecision(
  trx: Kysely<Database>,
  hit: HitDetail,
  args: { decision: 'CONFIRMED' | 'REJECTED'; reason: string | null; actor: string; now: Date },
): Promise<void> {
  if (hit.status !== 'PENDING_CONFIRMATION') {
    const detail = `hit ${hit.id} was already ${hit.status}${hit.decidedBy ? ` by ${hit.decidedBy}` : ''}; a hit is decided once`;
    throw new HubError('CONFLICT', detail, [{ pointer: '/payload/hitId', code: 'hit.decided', message: detail }], { currentStatus: hit.status, allowed: [] });
  }
  await trx
    .updateTable('hits')
    .set({ status: args.decision, decided_by: args.actor, decided_at: args.now, decision_reason: args.reason })
    .where('id', '=', hit.id)
    .execute();
  await trx
    .insertInto('audit_log')
    .values({ at: args.now, actor: args.actor, action: `hit.${args.decision.toLowerCase()}`, target: hit.id, detail: JSON.stringify({ recordId: hit.record.id, seizureId: hit.seizure.id, reason: args.reason }) })
    .execute();
}

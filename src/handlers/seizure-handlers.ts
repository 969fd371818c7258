import type { LoadedConfig } from '../config/load-config.js';
import { HubError } from '../errors/hub-error.js';
import type { HitDecided, HitDecision, SeizureReport } from '../messages/generated-types.js';
import type { MatchSettings } from '../match/matcher.js';
import { matchSeizedFirearm } from '../match/matcher.js';
import type { ApplyContext, MessageHandler } from '../pipeline/message-handler.js';
import { checkTransition } from '../records/record-lifecycle.js';
import { changeRecordStatus } from '../records/record-store.js';
import { canSee } from '../records/record-visibility.js';
import type { ReferenceCatalogue } from '../reference/reference-catalogue.js';
import { recordAndNotifyHits, seizureSideOf, type FoundHit } from '../seizures/hit-recording.js';
import { findHit, recordDecision, type HitDetail } from '../seizures/hit-store.js';
import { insertSeizure } from '../seizures/seizure-store.js';

/**
 * seizure.report and hit.decision. A seizure is stored, each seized firearm is matched against the
 * records, and every hit is notified to both countries within the same transaction. Only the
 * record's owner decides a hit; a confirmation moves the record to LOCATED.
 */
export interface SeizureHandlerDeps {
  config: LoadedConfig;
  reference: ReferenceCatalogue;
}

export function matchSettings(config: LoadedConfig): MatchSettings {
  return { ...config.hub.matching };
}

export function seizureReportHandler(deps: SeizureHandlerDeps): MessageHandler<SeizureReport> {
  const settings = matchSettings(deps.config);
  return {
    type: 'seizure.report',
    async apply(ctx, { ledgerId, envelope }) {
      const stored = await insertSeizure(ctx.trx, { ledgerId, sender: envelope.sender, report: envelope.payload, reference: deps.reference, now: ctx.now });
      const found: FoundHit[] = [];
      for (const item of stored.items) {
        const ranked = await matchSeizedFirearm(ctx.trx, item.firearm, deps.reference, settings);
        for (const hit of ranked) found.push({ seizure: seizureSideOf(stored, item), seizureItemId: item.id, hit, source: ledgerId });
      }
      const created = await recordAndNotifyHits(ctx, found, 'seizure');
      ctx.log.info({ seizureId: stored.id, firearms: stored.items.length, hits: created }, 'seizure matched');
    },
  };
}

function decidedPayload(hit: HitDetail, decision: HitDecision, by: { country: string; agency: string }, now: Date, recordStatus: string, withRecord: boolean): HitDecided {
  return {
    hitId: hit.id,
    decision: decision.decision,
    ...(decision.reason ? { reason: decision.reason } : {}),
    decidedBy: by,
    decidedAt: now.toISOString(),
    seizureId: hit.seizure.id,
    seizureReference: hit.seizure.seizureReference,
    recordOwnerCountry: hit.record.owner_country,
    ...(withRecord ? { recordId: hit.record.id, recordStatus } : {}),
  };
}

function notifyDecision(ctx: ApplyContext, hit: HitDetail, decision: HitDecision, by: { country: string; agency: string }, recordStatus: string): void {
  const owner = hit.record.owner_country;
  if (ctx.isPartner(owner)) {
    ctx.route({ country: owner, agency: hit.record.owner_agency }, 'hit.decided', decidedPayload(hit, decision, by, ctx.now, recordStatus, true) as never);
  }
  const seizing = hit.seizure.country;
  if (ctx.isPartner(seizing)) {
    const viewer = { country: seizing, role: ctx.ncbOf(seizing) === hit.seizure.agency ? ('ncb' as const) : ('agency' as const) };
    ctx.route({ country: seizing, agency: hit.seizure.agency }, 'hit.decided', decidedPayload(hit, decision, by, ctx.now, recordStatus, canSee(hit.record, viewer)) as never);
  }
}

export function hitDecisionHandler(): MessageHandler<HitDecision> {
  return {
    type: 'hit.decision',
    async apply(ctx, { ledgerId, envelope }) {
      const decision = envelope.payload;
      const by = envelope.sender;
      const hit = await findHit(ctx.trx, decision.hitId, { forUpdate: true });
      // A hit on a record the sender's country does not own is not theirs to see either: 404, not 403.
      if (!hit || (hit.record.owner_country !== by.country && hit.seizure.country !== by.country)) {
        throw new HubError('NOT_FOUND', `no hit ${decision.hitId} concerning ${by.country}`, [{ pointer: '/payload/hitId', code: 'hit.unknown', message: 'no such hit' }]);
      }
      if (hit.record.owner_country !== by.country) {
        throw new HubError('FORBIDDEN', `only the record's owner (${hit.record.owner_country}) confirms or rejects a hit`, [
          { pointer: '/payload/decision', code: 'hit.not-owner', message: `${by.country} is the seizing country; the record belongs to ${hit.record.owner_country}` },
        ]);
      }
      let recordStatus: string = hit.record.status;
      if (decision.decision === 'CONFIRMED') checkTransition(hit.record.status, 'LOCATED', '/payload/decision');
      await recordDecision(ctx.trx, hit, { decision: decision.decision, reason: decision.reason ?? null, actor: `${by.country}/${by.agency}`, now: ctx.now });
      if (decision.decision === 'CONFIRMED') {
        await changeRecordStatus(ctx.trx, {
          ownerCountry: hit.record.owner_country,
          ownerReference: hit.record.owner_reference,
          status: 'LOCATED',
          reason: `hit ${hit.id} confirmed: seized by ${hit.seizure.country} (${hit.seizure.seizureReference})`,
          agency: by.agency,
          ledgerId,
          now: ctx.now,
        });
        recordStatus = 'LOCATED';
      }
      notifyDecision(ctx, hit, decision, by, recordStatus);
      ctx.log.info({ hitId: hit.id, decision: decision.decision, recordId: hit.record.id }, 'hit decided');
    },
  };
}

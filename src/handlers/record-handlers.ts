import type { LoadedConfig } from '../config/load-config.js';
import type { HubError } from '../errors/hub-error.js';
import type { RecordStatusChange, RecordUpsert } from '../messages/generated-types.js';
import { matchRecordsAgainstSeizures } from '../match/matcher.js';
import type { ApplyContext, MessageHandler } from '../pipeline/message-handler.js';
import { prepareRecord } from '../records/record-preparation.js';
import { changeRecordStatus, upsertRecords, type UpsertItem } from '../records/record-store.js';
import type { ReferenceCatalogue } from '../reference/reference-catalogue.js';
import { recordAndNotifyHits, seizureSideOfCandidate } from '../seizures/hit-recording.js';
import { matchSettings } from './seizure-handlers.js';
import { countUnmapped } from '../records/unmapped-values.js';

/**
 * record.upsert and record.status. A record belongs to the country that sent it: the upsert key
 * is (sender country, owner reference), so no country can reach another's records by message.
 * Upserts are applied set-based, a whole apply batch at a time.
 */
export interface RecordHandlerDeps {
  config: LoadedConfig;
  reference: ReferenceCatalogue;
}

export function recordUpsertHandler(deps: RecordHandlerDeps): MessageHandler<RecordUpsert> {
  return {
    type: 'record.upsert',
    async applyMany(ctx, messages) {
      const refused = new Map<string, HubError>();
      const items: (UpsertItem & { ledgerId: string })[] = [];
      for (const m of messages) {
        const owner = m.envelope.sender;
        const policy = deps.config.partners.get(owner.country)?.records;
        items.push({
          prepared: prepareRecord(m.envelope.payload, owner, deps.reference),
          ledgerId: m.ledgerId,
          reviewYears: policy?.reviewYears ?? deps.config.hub.records.reviewYears,
        });
      }
      const results = await upsertRecords(ctx.trx, items, ctx.now, {
        deferCount: (tally) => ctx.afterCommit((db) => countUnmapped(db, tally, ctx.now)),
      });
      const changed = new Map<string, string>();
      results.forEach((r, i) => {
        const ledgerId = items[i]!.ledgerId;
        if (r.outcome === 'rejected') refused.set(ledgerId, r.error);
        else {
          if (r.outcome !== 'unchanged') changed.set(r.recordId, ledgerId);
          ctx.log.debug({ ledgerId, recordId: r.recordId, outcome: r.outcome, version: r.version }, 'record upserted');
        }
      });
      await matchAgainstPastSeizures(ctx, changed, deps);
      return refused;
    },
  };
}

/**
 * Reverse matching: a record created or changed is matched against the firearms seized before it,
 * in the same transaction, so its hits are notified like a seizure's. Already-known pairs are not
 * notified again.
 */
async function matchAgainstPastSeizures(ctx: ApplyContext, changed: ReadonlyMap<string, string>, deps: RecordHandlerDeps): Promise<void> {
  if (changed.size === 0) return;
  const reverse = await matchRecordsAgainstSeizures(ctx.trx, [...changed.keys()], deps.reference, matchSettings(deps.config));
  if (reverse.length === 0) return;
  const found = reverse.map(({ item, hit }) => ({ seizure: seizureSideOfCandidate(item), seizureItemId: item.id, hit, source: changed.get(hit.recordId)! }));
  await recordAndNotifyHits(ctx, found, 'record');
}

export function recordStatusHandler(): MessageHandler<RecordStatusChange> {
  return {
    type: 'record.status',
    async apply(ctx, { ledgerId, envelope }) {
      const { ownerReference, status, reason } = envelope.payload;
      const r = await changeRecordStatus(ctx.trx, {
        ownerCountry: envelope.sender.country,
        ownerReference,
        status,
        reason: reason ?? null,
        agency: envelope.sender.agency,
        ledgerId,
        now: ctx.now,
      });
      ctx.log.info({ recordId: r.recordId, from: r.previousStatus, to: status, changed: r.changed }, 'record status changed');
    },
  };
}


import { sql, type RawBuilder } from 'kysely';
import type { AgencyRole } from '../db/database-types.js';

/**
 * The owner's restrictions, as INTERPOL's data rules require: the owner country always sees its
 * records; others see them when the record is open to all, when they are on its allow-list, or
 * when they are not on its deny-list. A 'confidential' record is shown only to National Central
 * Bureaus. Hub admins (the General Secretariat role) see every record, to support and audit.
 * The same rule exists twice, as a function for one record and as SQL for searches; the tests
 * check them against each other.
 */
export interface Viewer {
  country: string | null;
  role: AgencyRole;
}

export interface Restricted {
  owner_country: string;
  visibility: 'all' | 'allow' | 'deny';
  visibility_countries: readonly string[];
  confidentiality: string;
}

export function canSee(record: Restricted, viewer: Viewer): boolean {
  if (viewer.role === 'hub_admin') return true;
  if (!viewer.country) return false;
  if (record.owner_country === viewer.country) return true;
  if (record.confidentiality === 'confidential' && viewer.role !== 'ncb') return false;
  if (record.visibility === 'all') return true;
  const listed = record.visibility_countries.includes(viewer.country);
  return record.visibility === 'allow' ? listed : !listed;
}

/** The same rule as a WHERE condition on `records` (aliased as `table`). */
export function visibleTo(viewer: Viewer, table = 'records'): RawBuilder<boolean> {
  if (viewer.role === 'hub_admin') return sql<boolean>`true`;
  if (!viewer.country) return sql<boolean>`false`;
  const t = sql.table(table);
  const confidentialOk = viewer.role === 'ncb' ? sql`true` : sql`${t}.confidentiality <> 'confidential'`;
  return sql<boolean>`(${t}.owner_country = ${viewer.country} or (${confidentialOk} and (
    ${t}.visibility = 'all'
    or (${t}.visibility = 'allow' and ${viewer.country} = any(${t}.visibility_countries))
    or (${t}.visibility = 'deny' and not (${viewer.country} = any(${t}.visibility_countries))))))`;
}

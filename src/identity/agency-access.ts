import type { AccessStatus, AgencyRole } from '../db/database-types.js';

/**
 * What an agency may do, as plain functions over its access state. A country's NCB answers for
 * the national entities it authorises (INTERPOL RPD art. 21): it approves each one on a signed user
 * agreement and sets the scope, a level per module. NCBs and hub administrators are not scoped.
 */
export const MODULES = ['records', 'seizures', 'traces'] as const;
export type Module = (typeof MODULES)[number];
export type Level = 'read' | 'write';
export type AccessScope = Partial<Record<Module, Level>>;

export interface AgencyAccess {
  role: AgencyRole;
  status: AccessStatus;
  /** Null: the role's full rights (NCBs, hub administrators). */
  scope: AccessScope | null;
  /** Last day (UTC, YYYY-MM-DD) the agreement covers; null for unscoped roles. */
  until: string | null;
  reason: string | null;
}

/** An agency's access as its row holds it (agencies.access_*; access_until read as text). */
export function accessOf(row: { role: AgencyRole; access_status: AccessStatus; access_scope: unknown; access_until: string | null; access_reason: string | null }): AgencyAccess {
  return {
    role: row.role,
    status: row.access_status,
    // An entity with no scope recorded (pending, revoked) may use no module; other roles are unscoped.
    scope: row.role === 'agency' ? ((row.access_scope as AccessScope | null) ?? {}) : null,
    until: row.access_until,
    reason: row.access_reason,
  };
}

export interface Need {
  module: Module;
  level: Level;
}

export type Denial =
  | { code: 'ACCESS_NOT_GRANTED'; status: AccessStatus | 'expired'; detail: string }
  | { code: 'OUTSIDE_SCOPE'; need: Need; detail: string };

export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/** Why the agency may not use the hub at all today, or undefined when it may. */
export function accessDenial(a: AgencyAccess, country: string | null, today: string): Denial | undefined {
  const ncb = `the NCB of ${country ?? 'its country'}`;
  switch (a.status) {
    case 'approved':
      if (a.until !== null && a.until < today)
        return { code: 'ACCESS_NOT_GRANTED', status: 'expired', detail: `the user agreement ended on ${a.until}; ${ncb} must record a renewed agreement` };
      return undefined;
    case 'pending':
      return { code: 'ACCESS_NOT_GRANTED', status: 'pending', detail: `the agency has no access until ${ncb} approves it on a signed user agreement` };
    case 'suspended':
      return { code: 'ACCESS_NOT_GRANTED', status: 'suspended', detail: `access suspended by ${ncb}${a.reason ? `: ${a.reason}` : ''}` };
    case 'revoked':
      return { code: 'ACCESS_NOT_GRANTED', status: 'revoked', detail: `access revoked by ${ncb}${a.reason ? `: ${a.reason}` : ''}; only a new user agreement restores it` };
  }
}

export function scopeAllows(scope: AccessScope | null, need: Need): boolean {
  if (scope === null) return true;
  const level = scope[need.module];
  return level === 'write' || (level === 'read' && need.level === 'read');
}

export function outsideScope(scope: AccessScope | null, need: Need | undefined, who: string): Denial | undefined {
  if (!need || scopeAllows(scope, need)) return undefined;
  return { code: 'OUTSIDE_SCOPE', need, detail: `${who} is approved for ${describeScope(scope)}, not to ${need.level === 'write' ? 'write to' : 'read'} ${need.module}` };
}

export function describeScope(scope: AccessScope | null): string {
  if (scope === null) return 'everything its role allows';
  const parts = MODULES.filter((m) => scope[m]).map((m) => `${m} (${scope[m]})`);
  return parts.length ? parts.join(', ') : 'no module';
}

/** The first path segment after /v1 of each module's routes. */
const ROUTE_MODULES: Record<string, Module> = {
  records: 'records',
  reference: 'records',
  seizures: 'seizures',
  checks: 'seizures',
  hits: 'seizures',
  'trace-requests': 'traces',
  'trace-attachments': 'traces',
};

/**
 * Routes outside the modules: an agency's own messages and inbox (what it submits is judged by the
 * message's type, messageTypeNeed), routes for NCBs and hub admins, which check their role, and
 * subscriptions to statistics, which check read access to the subject's module.
 */
const OUTSIDE_MODULES = new Set(['messages', 'message-batches', 'inbox', 'agencies', 'admin', 'statistics-subscriptions']);

/** Routes that search with POST: reading, though the method writes. */
const READING_POSTS = new Set(['/v1/checks']);

const firstSegment = (url: string) => /^\/v1\/([^/]+)/.exec(url)?.[1];

/**
 * Throws for a /v1 route that is in no module and not known to be outside them, so that a new
 * route cannot be open to scoped agencies by omission: the app does not build (http/app.ts).
 */
export function assertRouteClassified(url: string): void {
  const first = firstSegment(url);
  if (first !== undefined && !ROUTE_MODULES[first] && !OUTSIDE_MODULES.has(first))
    throw new Error(`route ${url}: /v1/${first} is in no module of identity/agency-access.ts (ROUTE_MODULES) and not listed as outside them`);
}

/** What a route needs of a scoped agency, from its URL template and method; undefined outside the modules. */
export function routeNeed(method: string, url: string): Need | undefined {
  const first = firstSegment(url);
  const module = first === undefined ? undefined : ROUTE_MODULES[first];
  if (!module) return undefined;
  const reading = method === 'GET' || method === 'HEAD' || READING_POSTS.has(url);
  return { module, level: reading ? 'read' : 'write' };
}

const TYPE_MODULES: Record<string, Module> = { record: 'records', seizure: 'seizures', hit: 'seizures', trace: 'traces' };

/** What submitting a message of this type needs: write access to its module (notices need none). */
export function messageTypeNeed(type: string): Need | undefined {
  const module = TYPE_MODULES[type.slice(0, type.indexOf('.'))];
  return module ? { module, level: 'write' } : undefined;
}

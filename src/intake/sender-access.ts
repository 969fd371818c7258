import { accessDenial, messageTypeNeed, outsideScope, todayUtc, type AccessScope } from '../identity/agency-access.js';
import type { AgencyDirectory } from '../identity/agency-directory.js';
import type { FieldError } from '../messages/generated-types.js';

/**
 * Whether the agency a message comes from may send it, as its NCB decided. A channel that
 * authenticated the agency and judged its access (REST) gives its scope, and only the message's
 * module is checked here. Otherwise nobody judged the agency as the message arrived: a country's
 * channel names it only in the envelope, and a replay is judged by the agency's access now; an
 * agency the hub knows is held to its NCB's decision, a name it does not know is the NCB's channel's
 * to answer for.
 */
export function senderAccessError(
  s: { sender: { country: string | null; agency: string | null }; scope?: AccessScope | null },
  type: string,
  claimedAgency: unknown,
  agencies: Pick<AgencyDirectory, 'get'> | undefined,
  now: Date,
): { error: FieldError; rejection: 'outside-scope' | 'forbidden' } | undefined {
  if (s.scope !== undefined) {
    const outside = outsideScope(s.scope, messageTypeNeed(type), `${s.sender.country}/${s.sender.agency}`);
    return outside && { error: { pointer: '/type', code: 'access.outside-scope', message: outside.detail }, rejection: 'outside-scope' };
  }
  if (!s.sender.country) return undefined;
  const agency = s.sender.agency ?? (typeof claimedAgency === 'string' ? claimedAgency : undefined);
  const named = agency === undefined ? undefined : agencies?.get(s.sender.country, agency);
  const denial = named && (accessDenial(named, s.sender.country, todayUtc(now)) ?? outsideScope(named.scope, messageTypeNeed(type), `${s.sender.country}/${agency}`));
  if (!denial) return undefined;
  return { error: { pointer: '/sender/agency', code: denial.code === 'ACCESS_NOT_GRANTED' ? 'access.not-granted' : 'access.outside-scope', message: denial.detail }, rejection: 'forbidden' };
}

import type { InjectOptions } from 'fastify';
import { waitFor } from '../support/test-environment.js';
import type { TestHub } from '../support/test-hub.js';

/** Shared helpers of the trace request specifications: a valid request, REST calls, inbox reads. */
export type Agency = { id: string; auth: string; country: string; code: string };

export async function agency(t: TestHub, country: string, code: string, role?: 'ncb' | 'agency'): Promise<Agency> {
  const a = await t.agency(country, code, role ?? (code.startsWith('NCB-') ? 'ncb' : 'agency'));
  return { ...a, country, code };
}

export function traceRequest(ref: string, overrides: Record<string, unknown> = {}, firearm: Record<string, unknown> = {}) {
  return {
    requestReference: ref,
    addressedTo: { country: 'DE', as: 'country-of-manufacture' },
    firearm: { serials: [{ value: 'WP 123-456', location: 'frame' }], make: 'Walther', model: 'P99', calibre: '9mm Luger', type: 'pistol', countryOfManufacture: 'DE', ...firearm },
    illicitNature: { basis: 'national-law', legalJustification: 'Possession without a licence (Code de la sécurité intérieure, L317-8)' },
    recovery: { date: '2026-10-01', place: { country: 'FR', locality: 'Marseille' }, circumstances: 'Found during a search of a vehicle after a shooting' },
    intendedUse: 'Criminal investigation of the shooting; evidence in court',
    priority: 'routine',
    crimeCategory: 'homicide',
    caseReference: `CASE-${ref}`,
    ...overrides,
  };
}

export function client(t: TestHub) {
  const inject = (opts: InjectOptions) => t.hub.app!.inject(opts);
  const post = (a: Agency, url: string, body: unknown, headers: Record<string, string> = {}) =>
    inject({ method: 'POST', url, headers: { authorization: a.auth, 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
  const get = (a: Agency, url: string) => inject({ method: 'GET', url, headers: { authorization: a.auth } });
  /** Sends a canonical envelope over the REST message channel. */
  const send = (a: Agency, type: string, payload: unknown, messageId = `${type}-${Math.random().toString(36).slice(2)}`) =>
    inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: a.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ messageId, type, sender: { country: a.country, agency: a.code }, sentAt: new Date().toISOString(), payload }),
    });
  /** Every unacknowledged inbox item of `a`, oldest first. */
  const inbox = async (a: Agency) => {
    const items: { id: string; type: string; envelope: { sender: { country: string; agency: string }; payload: Record<string, unknown> } }[] = [];
    let after: string | null = null;
    for (;;) {
      const page = (await get(a, `/v1/inbox?limit=500${after ? `&after=${after}` : ''}`)).json() as { items: typeof items; next: string | null };
      items.push(...page.items);
      if (!page.next) return items;
      after = page.next;
    }
  };
  /** Inbox items of `a` about trace request `traceId`. */
  const about = async (a: Agency, traceId: string) => (await inbox(a)).filter((i) => i.envelope.payload.traceId === traceId);
  /** Waits until `a` has an inbox item about `traceId` matching `match`. */
  const expectInInbox = (a: Agency, traceId: string, match: (i: Awaited<ReturnType<typeof inbox>>[number]) => boolean, what: string) =>
    waitFor(async () => (await about(a, traceId)).find(match), `${a.country}/${a.code} to receive ${what}`);
  const statusOf = async (a: Agency, id: string) => (await get(a, `/v1/trace-requests/${id}`)).json().status as string;
  const waitForStatus = (a: Agency, id: string, status: string) => waitFor(async () => (await statusOf(a, id)) === status, `${id} to become ${status}`);
  return { inject, post, get, send, inbox, about, expectInInbox, statusOf, waitForStatus };
}

/** A minimal valid PNG (1x1 pixel), different per seed. */
export function png(seed = 0): Buffer {
  const head = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([head, Buffer.from(`IHDR-test-image-${seed}`)]);
}

import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, notice, type TestHub } from '../support/test-hub.js';
import { parseApiKey } from '../../src/identity/api-keys.js';

/** The REST API's contract: authentication, roles, error shapes, limits, documentation, operations. */
let t: TestHub;
let admin: { id: string; auth: string };
let fr: { id: string; auth: string };
const FR = { country: 'FR', agency: 'NCB-PARIS' };

beforeAll(async () => {
  t = await startTestHub('contract', { tuneConfig: (c) => { c.http.bodyLimitBytes = 4096; } });
  admin = await t.agency(null, 'HUB-OPS');
  fr = await t.agency('FR', 'NCB-PARIS');
});
afterAll(() => t?.stop());

const inject = (opts: InjectOptions) => t.hub.app!.inject(opts);

describe('authentication', () => {
  it('refuses a request without a key with 401 problem+json', async () => {
    const res = await inject({ method: 'GET', url: '/v1/inbox' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', type: 'urn:tracehub:problem:unauthenticated', instance: '/v1/inbox' });
  });

  it('refuses a malformed or unknown key', async () => {
    for (const auth of ['Bearer nonsense', 'Bearer thk_abcdefghijkl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      const res = await inject({ method: 'GET', url: '/v1/inbox', headers: { authorization: auth } });
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toMatch(/not valid or has been revoked/);
    }
  });

  it('accepts the key in X-API-Key too', async () => {
    const res = await inject({ method: 'GET', url: '/v1/inbox', headers: { 'x-api-key': fr.auth.slice(7) } });
    expect(res.statusCode).toBe(200);
  });

  it('stops accepting a key once it is revoked, and the key is stored only as a hash', async () => {
    const created = await inject({ method: 'POST', url: `/v1/admin/agencies/${fr.id}/keys`, headers: { authorization: admin.auth }, payload: { label: 'second system' } });
    expect(created.statusCode).toBe(201);
    const { keyId, apiKey } = created.json();
    const row = await t.hub.ctx.db.selectFrom('api_keys').selectAll().where('id', '=', keyId).executeTakeFirstOrThrow();
    // The secret is base64url and may itself contain '_': take it as the key format defines it.
    const secret = parseApiKey(apiKey)!.secret;
    expect(secret).toHaveLength(43);
    expect(row.secret_hash.toString('hex')).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect((await inject({ method: 'GET', url: '/v1/inbox', headers: { authorization: `Bearer ${apiKey}` } })).statusCode).toBe(200);
    expect((await inject({ method: 'DELETE', url: `/v1/admin/keys/${keyId}`, headers: { authorization: admin.auth } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url: '/v1/inbox', headers: { authorization: `Bearer ${apiKey}` } })).statusCode).toBe(401);
  });
});

describe('roles', () => {
  it('keeps the admin API to hub admins (403 for an NCB)', async () => {
    const res = await inject({ method: 'GET', url: '/v1/admin/messages', headers: { authorization: fr.auth } });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it('lets a hub admin create an agency of a partner country, and refuses an unknown country', async () => {
    const ok = await inject({ method: 'POST', url: '/v1/admin/agencies', headers: { authorization: admin.auth }, payload: { country: 'DE', code: 'ZOLL-FRA', name: 'Zoll Frankfurt', role: 'agency' } });
    expect(ok.statusCode).toBe(201);
    const again = await inject({ method: 'POST', url: '/v1/admin/agencies', headers: { authorization: admin.auth }, payload: { country: 'DE', code: 'ZOLL-FRA', name: 'Zoll Frankfurt', role: 'agency' } });
    expect(again.statusCode).toBe(409);
    const unknown = await inject({ method: 'POST', url: '/v1/admin/agencies', headers: { authorization: admin.auth }, payload: { country: 'QQ', code: 'X', name: 'X', role: 'agency' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors[0].pointer).toBe('/body/country');
  });

  it('shows a message only to its sender, the sender\'s NCB and admins (404 to anyone else)', async () => {
    const customs = await t.agency('FR', 'DOUANE-ORLY', 'agency');
    const de = await t.agency('DE', 'NCB-WIESBADEN');
    const sent = await inject({ method: 'POST', url: '/v1/messages', headers: { authorization: customs.auth, 'content-type': 'application/json' }, payload: notice({ country: 'FR', agency: 'DOUANE-ORLY' }, ['DE']) });
    const url = `/v1/messages/${sent.json().ledgerId}`;
    expect((await inject({ method: 'GET', url, headers: { authorization: customs.auth } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url, headers: { authorization: fr.auth } })).statusCode).toBe(200);
    expect((await inject({ method: 'GET', url, headers: { authorization: admin.auth } })).statusCode).toBe(200);
    const other = await inject({ method: 'GET', url, headers: { authorization: de.auth } });
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('NOT_FOUND');
  });

  it('does not let a hub admin post messages as if it were a country', async () => {
    const res = await inject({ method: 'POST', url: '/v1/messages', headers: { authorization: admin.auth, 'content-type': 'application/json' }, payload: notice(FR, ['DE']) });
    expect(res.statusCode).toBe(403);
  });
});

describe('request errors', () => {
  it('answers 404 with problem+json for an unknown route and for an unknown message', async () => {
    const route = await inject({ method: 'GET', url: '/v1/nothing-here', headers: { authorization: fr.auth } });
    expect(route.statusCode).toBe(404);
    expect(route.json().code).toBe('NOT_FOUND');
    const msg = await inject({ method: 'GET', url: '/v1/messages/01a2a000-0000-7000-8000-000000000000', headers: { authorization: fr.auth } });
    expect(msg.statusCode).toBe(404);
  });

  it('answers 400 naming the parameter when a path id is not a UUID', async () => {
    const res = await inject({ method: 'GET', url: '/v1/messages/not-a-uuid', headers: { authorization: fr.auth } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].pointer).toBe('/params/id');
  });

  it('answers 400 naming the parameter for a date the database cannot hold, on every route', async () => {
    for (const [auth, url, pointer] of [
      [fr.auth, '/v1/records?eventFrom=0000-01-01', '/querystring/eventFrom'],
      [fr.auth, '/v1/records/statistics?to=0000-12-31', '/querystring/to'],
      [admin.auth, '/v1/admin/messages?from=2026-01-01T00:00:00%2B16:00', '/querystring/from'],
    ] as const) {
      const res = await inject({ method: 'GET', url, headers: { authorization: auth } });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
      expect(JSON.stringify(res.json().errors)).toContain(pointer);
    }
  });

  it('answers 413 when the body is over the limit', async () => {
    const res = await inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: JSON.stringify(notice(FR, ['DE'], {}, { body: 'x'.repeat(5000) })) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 415 for a content type the hub does not read', async () => {
    const res = await inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 400 naming each invalid field of an admin request body', async () => {
    const res = await inject({ method: 'POST', url: '/v1/admin/agencies', headers: { authorization: admin.auth }, payload: { country: 'france', role: 'king' } });
    expect(res.statusCode).toBe(400);
    const pointers = res.json().errors.map((e: { pointer: string }) => e.pointer).sort();
    expect(pointers).toEqual(['/body/code', '/body/country', '/body/name', '/body/role']);
  });
});

describe('documentation and operations', () => {
  it('serves OpenAPI generated from the route schemas', async () => {
    const res = await inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/messages', '/v1/messages/{id}', '/v1/inbox', '/v1/inbox/{id}/ack', '/v1/admin/messages/replay']));
    expect(doc.paths['/v1/admin/agencies'].post.requestBody.content['application/json'].schema.required).toEqual(['code', 'name', 'role']);
  });

  it('reports liveness and readiness with each service checked', async () => {
    expect((await inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
    const ready = await inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.map((c: { name: string; ok: boolean }) => [c.name, c.ok])).toEqual([['postgres', true], ['redis', true]]);
  });

  it('exposes Prometheus metrics with stage counts and queue age', async () => {
    await inject({ method: 'POST', url: '/v1/messages', headers: { authorization: fr.auth, 'content-type': 'application/json' }, payload: notice(FR, ['DE']) });
    const res = await inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/tracehub_messages_total\{stage="validate",outcome="validated"\} \d+/);
    expect(res.body).toMatch(/tracehub_queue_oldest_waiting_seconds\{queue="apply"\} [\d.]+/);
    expect(res.body).toMatch(/tracehub_queue_jobs\{queue="deliver-rest",state="waiting"\} \d+/);
  });

  it('mounts the queue dashboard for hub admins only, prompting browsers for the key', async () => {
    const anon = await inject({ method: 'GET', url: '/admin/queues' });
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['www-authenticate']).toMatch(/^Basic/);
    expect((await inject({ method: 'GET', url: '/admin/queues', headers: { authorization: fr.auth } })).statusCode).toBe(403);
    const basic = `Basic ${Buffer.from(`ops:${admin.auth.slice(7)}`).toString('base64')}`;
    const board = await inject({ method: 'GET', url: '/admin/queues', headers: { authorization: basic } });
    expect(board.statusCode).toBe(200);
    expect(board.body).toContain('<html');
    const api = await inject({ method: 'GET', url: '/admin/queues/api/queues', headers: { authorization: basic } });
    expect(api.json().queues.map((q: { name: string }) => q.name).sort()).toEqual(['apply', 'deliver-rest', 'deliver-sftp', 'maintenance']);
  });
});

import type { Environment } from '../../src/config/environment.js';
import type { AgencyRole } from '../../src/db/database-types.js';
import { Hub, type HubOptions } from '../../src/hub.js';
import { createAgency, createApiKey, type Caller } from '../../src/identity/agency-repository.js';
import type { AccessScope } from '../../src/identity/agency-access.js';
import { approveAgency } from '../../src/identity/user-agreements.js';
import { cleanEnvironment, testEnvironment } from './test-environment.js';

/**
 * A real hub on the machine's PostgreSQL and Redis, in the file's own schema and queue prefix,
 * with backoffs shortened so retry paths run in milliseconds. Requests go through `app.inject()`.
 */
export interface TestHub {
  hub: Hub;
  env: Environment;
  /**
   * Creates an agency with a key; returns the Authorization header value. An agency of role
   * 'agency' is approved by its NCB with every module writable, unless `access` says 'pending' or
   * gives the scope to approve.
   */
  agency(country: string | null, code: string, role?: AgencyRole, options?: { access?: 'pending' | AccessScope }): Promise<{ id: string; auth: string }>;
  stop(): Promise<void>;
}

export async function startTestHub(label: string, options: Partial<HubOptions> & { envOverrides?: Partial<Environment>; start?: boolean } = {}): Promise<TestHub> {
  const env = options.env ?? testEnvironment(label, options.envOverrides);
  const hub = await Hub.create({
    defaultMetrics: false,
    ...options,
    env,
    tuneConfig: (c) => {
      c.pipeline.backoffMs = 50;
      c.pipeline.attempts = 5;
      c.pipeline.ingestFlushMs = 1;
      c.delivery.backoffMs = 50;
      c.http.apiKeyCacheSeconds = 0;
      options.tuneConfig?.(c);
    },
  });
  if (options.start !== false) await hub.start();
  let stopped = false;
  return {
    hub,
    env,
    async agency(country, code, role = country ? 'ncb' : 'hub_admin', options = {}) {
      const { id } = await createAgency(hub.ctx.db, { country, code, name: `${code} (test)`, role }, 'test');
      const access = options.access ?? { records: 'write', seizures: 'write', traces: 'write' };
      if (role === 'agency' && access !== 'pending') {
        const ncb: Caller = { agencyId: 'test', country, agency: `NCB-${country}`, role: 'ncb', keyId: 'test', access: { role: 'ncb', status: 'approved', scope: null, until: null, reason: null } };
        await approveAgency(hub.ctx.db, id, { reference: `UA-${code}`, signedOn: new Date().toISOString().slice(0, 10), signedBy: 'test', scope: access }, ncb);
      }
      const key = await createApiKey(hub.ctx.db, id, null, 'test');
      // As the agency routes do after a change: what channels carry in its name is judged by its state now.
      await hub.ctx.agencies.refresh();
      return { id, auth: `Bearer ${key.key}` };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await hub.stop();
      if (!options.env) await cleanEnvironment(env);
    },
  };
}

/** A canonical hub.notice envelope from `from` to `to`, with overridable fields. */
export function notice(from: { country: string; agency: string }, to: string[], overrides: Record<string, unknown> = {}, payload: Record<string, unknown> = {}) {
  return {
    messageId: `msg-${Math.random().toString(36).slice(2)}`,
    type: 'hub.notice',
    sender: from,
    sentAt: new Date().toISOString(),
    payload: { to: to.map((country) => ({ country })), subject: 'Stolen pistol', body: 'A Glock 17 reported stolen', serials: ['AB 12345'], ...payload },
    ...overrides,
  };
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgencyRole } from '../db/database-types.js';
import { HubError } from '../errors/hub-error.js';
import { problem, sendProblem } from './problem-details.js';
import type { Caller, KeyVerifier } from '../identity/agency-repository.js';
import { accessDenial, outsideScope, routeNeed, todayUtc, type Denial, type Need } from '../identity/agency-access.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** The API key from `Authorization: Bearer`, `X-API-Key`, or the password of Basic auth (for browsers on /admin/queues). */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  const x = request.headers['x-api-key'];
  return typeof x === 'string' ? x : undefined;
}

export function authenticate(verifier: KeyVerifier, options: { basicRealm?: string } = {}) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const key = presentedKey(request);
    const caller = key ? await verifier.verify(key) : undefined;
    // Replies directly rather than throwing: plugins mounted below (bull-board) install error
    // handlers of their own that would not speak problem+json.
    if (!caller) {
      if (options.basicRealm) void reply.header('www-authenticate', `Basic realm="${options.basicRealm}"`);
      const detail = key ? 'the API key is not valid or has been revoked' : 'send an API key as "Authorization: Bearer <key>"';
      return void sendProblem(reply, problem('UNAUTHENTICATED', detail, request.url));
    }
    const who = `${caller.country ?? '-'}/${caller.agency}`;
    // Its NCB's approval and scope are checked on every route before anything else, so no route
    // can forget them; what a route's own rules allow is checked after.
    const denial = accessDenial(caller.access, caller.country, todayUtc()) ?? outsideScope(caller.access.scope, routeNeed(request.method, request.routeOptions.url ?? request.url), who);
    if (denial) return void sendProblem(reply, denied(denial, request.url));
    request.caller = caller;
    request.log = request.log.child({ agency: who });
  };
}

function denied(d: Denial, instance: string) {
  return d.code === 'ACCESS_NOT_GRANTED' ? problem(d.code, d.detail, instance, undefined, { access: d.status }) : problem(d.code, d.detail, instance, undefined, { needs: d.need });
}

export function requireRole(...roles: AgencyRole[]) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (reply.sent) return;
    if (!request.caller || !roles.includes(request.caller.role)) {
      return void sendProblem(reply, problem('FORBIDDEN', `this needs the role ${roles.join(' or ')}`, request.url));
    }
  };
}

/** For a route that also acts in a module other than its own (a seizure turned into a trace request). */
export function requireScope(caller: Caller, need: Need): void {
  const denial = outsideScope(caller.access.scope, need, `${caller.country ?? '-'}/${caller.agency}`);
  if (denial) throw new HubError('OUTSIDE_SCOPE', denial.detail, [], { needs: need });
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new HubError('UNAUTHENTICATED');
  return request.caller;
}

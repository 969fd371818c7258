import { Socket } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import type { HubContext } from '../../hub.js';

/**
 * Liveness (the process answers), readiness (every service it needs answers) and Prometheus
 * metrics. These routes carry no data and need no key, so load balancers and scrapers can use them.
 */
async function probe(name: string, fn: () => Promise<unknown>, timeoutMs = 2000): Promise<{ name: string; ok: boolean; ms: number; error?: string }> {
  const start = performance.now();
  try {
    await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref())]);
    return { name, ok: true, ms: Math.round(performance.now() - start) };
  } catch (err) {
    return { name, ok: false, ms: Math.round(performance.now() - start), error: (err as Error).message };
  }
}

function tcpReachable(url: string): Promise<void> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = new Socket();
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('error', reject);
    s.connect(Number(u.port || 5672), u.hostname);
  });
}

export function operationsRoutes(ctx: HubContext): FastifyPluginAsync {
  const usesAmqp = [...ctx.config.partners.values()].some((p) => p.replies.channel === 'amqp' || p.inbound.some((i) => i.channel === 'amqp'));
  return async (app) => {
    app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }));
    app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
      const checks = await Promise.all([
        probe('postgres', () => sql`select 1`.execute(ctx.db)),
        probe('redis', () => ctx.redis.ping()),
        ...(usesAmqp ? [probe('rabbitmq', () => tcpReachable(ctx.env.amqpUrl))] : []),
      ]);
      const ok = checks.every((c) => c.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'unavailable', checks });
    });
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    });
  };
}

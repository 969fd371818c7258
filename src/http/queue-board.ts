import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginAsync } from 'fastify';
import type { HubContext } from '../hub.js';
import { authenticate, requireRole } from './authentication.js';

/**
 * bull-board at /admin/queues, for hub admins: queue mechanics only (counts, retry, pause). Message
 * search is the ledger's job (/v1/admin/messages); Redis cannot search job data. Browsers get a
 * Basic-auth prompt: any user name, the admin's API key as password.
 */
export function queueBoard(ctx: HubContext): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', authenticate(ctx.keys, { basicRealm: 'tracehub admin' }));
    app.addHook('onRequest', requireRole('hub_admin'));
    const serverAdapter = new FastifyAdapter();
    createBullBoard({
      queues: [ctx.applyQueue.queue, ...ctx.deliverQueues.queues, ctx.maintenanceQueue.queue].map((q) => new BullMQAdapter(q)),
      serverAdapter,
      options: { uiConfig: { boardTitle: 'Tracehub queues' } },
    });
    serverAdapter.setBasePath('/admin/queues');
    await app.register(serverAdapter.registerPlugin());
  };
}

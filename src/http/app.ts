import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { HubContext } from '../hub.js';
import { installProblemHandlers } from './problem-details.js';
import { assertRouteClassified } from '../identity/agency-access.js';
import { refuseUnstorableText } from './storable-request.js';
import { messageMaxDepth } from '../config/load-config.js';
import { isStorableDate, isStorableDateTime } from '../messages/storable-content.js';
import { problemSchema } from './openapi-schemas.js';
import { messageRoutes } from './routes/message-routes.js';
import { inboxRoutes } from './routes/inbox-routes.js';
import { recordRoutes } from './routes/record-routes.js';
import { seizureRoutes } from './routes/seizure-routes.js';
import { traceRoutes } from './routes/trace-routes.js';
import { statisticsRoutes } from './routes/statistics-routes.js';
import { statisticsSubscriptionRoutes } from './routes/statistics-subscription-routes.js';
import { adminRoutes } from './routes/admin-routes.js';
import { agencyRoutes } from './routes/agency-routes.js';
import { operationsRoutes } from './routes/operations-routes.js';
import { queueBoard } from './queue-board.js';

/**
 * ajv-formats, then JSON Schema's date and date-time as the database can store them. The name
 * matters: @fastify/ajv-compiler adds ajv-formats itself, after the plugins and so over these
 * two, unless a plugin is called formatsPlugin.
 */
function formatsPlugin(ajv: Ajv): Ajv {
  addFormats.default(ajv);
  ajv.addFormat('date', { type: 'string', validate: isStorableDate });
  ajv.addFormat('date-time', { type: 'string', validate: isStorableDateTime });
  return ajv;
}

/**
 * The HTTP application as a plain function of the hub's context: tests build it and call
 * `inject()`, the process (hub.ts) listens with it. No route knows about sockets or signals.
 */
export async function buildApp(ctx: HubContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    bodyLimit: ctx.config.hub.http.bodyLimitBytes,
    // A partner behind a proxy still gets its own request id echoed back; the hub's ids are UUIDs.
    requestIdHeader: 'x-request-id',
    // Routes log what matters (accepted, rejected, with the correlation id); a line per request
    // on top would double the logging cost at ingest rates.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: {
      customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array' },
      // Dates in query strings reach PostgreSQL too: year 0000 or a 16-hour offset is a 400 naming
      // the parameter, as in messages, not a 500 from the database.
      plugins: [formatsPlugin],
    },
  });
  installProblemHandlers(app);
  // Every route says which module it belongs to, for the scopes NCBs give their agencies.
  app.addHook('onRoute', (route) => assertRouteClassified(route.url));
  refuseUnstorableText(app, messageMaxDepth(ctx.config));
  // Graceful close: idle keep-alive connections are closed at once, but one busy at that moment
  // would otherwise stay open after its response and hold the server open. Tell the client to
  // close it with the response instead.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) void reply.header('connection', 'close');
  });
  app.addSchema(problemSchema);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tracehub API',
        version: '1',
        description:
          'Message hub for international firearms records and tracing. Every call needs an API key (`Authorization: Bearer thk_...`). Errors are RFC 9457 problem details with a stable `code`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  await app.register(operationsRoutes(ctx));
  await app.register(messageRoutes(ctx), { prefix: '/v1' });
  await app.register(inboxRoutes(ctx), { prefix: '/v1' });
  await app.register(recordRoutes(ctx), { prefix: '/v1' });
  await app.register(seizureRoutes(ctx), { prefix: '/v1' });
  await app.register(traceRoutes(ctx), { prefix: '/v1' });
  await app.register(statisticsRoutes(ctx), { prefix: '/v1' });
  await app.register(statisticsSubscriptionRoutes(ctx), { prefix: '/v1' });
  await app.register(agencyRoutes(ctx), { prefix: '/v1' });
  await app.register(adminRoutes(ctx), { prefix: '/v1/admin' });
  await app.register(queueBoard(ctx), { prefix: '/admin/queues' });
  return app;
}

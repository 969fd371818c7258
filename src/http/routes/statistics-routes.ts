import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../errors/hub-error.js';
import type { HubContext } from '../../hub.js';
import { actorName } from '../../identity/agency-repository.js';
import { writeAudit } from '../../operations/audit-log.js';
import { statisticsCsv, statisticsXlsx } from '../../statistics/statistics-export.js';
import { EXPORT_MEDIA_TYPES } from '../../traces/trace-export.js';
import { tableLabels } from '../../statistics/statistics-labels.js';
import { traceViewerOf } from '../../statistics/trace-viewer.js';
import { disclosureControl, MAX_GROUP_BY, statisticsTable } from '../../statistics/statistics-query.js';
import { SUBJECTS, subjectDefinitions, type Subject } from '../../statistics/statistics-subjects.js';
import { authenticate, callerOf } from '../authentication.js';
import { openObject, problemResponses } from '../openapi-schemas.js';

/**
 * The Statistics and Reports module: `GET /v1/{records,seizures,hits}/statistics`, each in its
 * subject's module for scoped agencies. A country gets its own figures exactly (scope=national,
 * the default) and the other countries' protected (scope=global: statistics-query.ts); the hub
 * admin gets either exactly, a national table for the country it names. As JSON, CSV or XLSX.
 * Every query is written to the audit log, as record searches are.
 */
interface StatisticsQueryString {
  scope?: 'national' | 'global';
  country?: string;
  from?: string;
  to?: string;
  groupBy?: string[];
  format?: 'json' | 'csv' | 'xlsx';
  [dimension: string]: unknown;
}

const RESERVED = new Set(['scope', 'country', 'from', 'to', 'groupBy', 'format']);

export function statisticsRoutes(ctx: HubContext): FastifyPluginAsync {
  const definitions = subjectDefinitions(ctx.reference);
  const protection = disclosureControl(ctx.config.hub);

  return async (app) => {
    app.addHook('onRequest', authenticate(ctx.keys));

    for (const subject of SUBJECTS) route(subject);

    function route(subject: Subject) {
      const def = definitions[subject];
      const dimensions = Object.keys(def.dimensions);
      for (const d of dimensions) if (RESERVED.has(d)) throw new Error(`statistics dimension ${subject}.${d} collides with a query parameter`);
      const querystring = {
        type: 'object',
        additionalProperties: false,
        properties: {
          scope: { type: 'string', enum: ['national', 'global'], description: "national (default): the caller's country's own figures, exact; global: every country's, small cells suppressed" },
          country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'Hub admins: the country of a national table' },
          from: { type: 'string', format: 'date', description: 'First day of the period (UTC)' },
          to: { type: 'string', format: 'date', description: 'Last day of the period (UTC)' },
          groupBy: { type: 'array', maxItems: MAX_GROUP_BY, uniqueItems: true, items: { type: 'string', enum: dimensions }, description: `Up to ${MAX_GROUP_BY} dimensions, repeated: groupBy=typeClass&groupBy=year` },
          format: { type: 'string', enum: ['json', 'csv', 'xlsx'], default: 'json' },
          ...Object.fromEntries(dimensions.map((d) => [d, { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 120 }, description: `Only these values of ${d}` }])),
        },
      } as const;

      app.get<{ Querystring: StatisticsQueryString }>(
        `/${subject}/statistics`,
        {
          schema: {
            summary: `Statistics on ${subject}: counts in a period, filtered and grouped by up to ${MAX_GROUP_BY} of ${dimensions.join(', ')}`,
            tags: ['statistics'],
            querystring,
            response: { 200: openObject, ...problemResponses },
          },
        },
        async (request, reply) => {
          const caller = callerOf(request);
          const q = request.query;
          if (q.from && q.to && q.from > q.to) {
            throw new HubError('BAD_REQUEST', `the period starts (${q.from}) after it ends (${q.to})`, [{ pointer: '/querystring/to', code: 'statistics.period-reversed', message: `is before from (${q.from})` }]);
          }
          const admin = caller.role === 'hub_admin';
          let scope = q.scope ?? (admin && !q.country ? 'global' : 'national');
          let country: string | null;
          if (admin) {
            if (scope === 'national' && !q.country) {
              throw new HubError('BAD_REQUEST', 'a hub admin names the country of a national table', [{ pointer: '/querystring/country', code: 'schema.required', message: 'is required with scope=national for hub admins' }]);
            }
            if (scope === 'global' && q.country) scope = 'national';
            country = q.country ?? null;
          } else {
            if (!caller.country) throw new HubError('FORBIDDEN', 'statistics are for agencies of partner countries and hub admins');
            if (q.country && q.country !== caller.country) throw new HubError('FORBIDDEN', `${caller.country} sees its own figures, not ${q.country}'s; scope=global gives figures across all countries`);
            country = caller.country;
          }
          const filters = Object.fromEntries(dimensions.filter((d) => Array.isArray(q[d])).map((d) => [d, q[d] as string[]]));
          const table = await statisticsTable(ctx.db, subject, def, {
            scope,
            country,
            traces: traceViewerOf(caller.access, caller.agency, scope),
            from: q.from,
            to: q.to,
            groupBy: q.groupBy ?? [],
            filters,
            protection: admin || scope === 'national' ? null : protection,
          });
          await writeAudit(ctx.db, { actor: actorName(caller), action: `${subject}.statistics`, detail: { query: q } });
          const labels = tableLabels(table, ctx.reference);
          if (q.format === 'csv' || q.format === 'xlsx') {
            return reply
              .header('content-type', EXPORT_MEDIA_TYPES[q.format])
              .header('content-disposition', `attachment; filename="${subject}-statistics-${table.country ?? 'global'}.${q.format}"`)
              .send(q.format === 'csv' ? statisticsCsv(table, labels) : await statisticsXlsx(table, labels));
          }
          return { ...table, labels };
        },
      );
    }
  };
}

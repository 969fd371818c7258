import type { FastifyInstance } from 'fastify';
import { HubError } from '../errors/hub-error.js';
import type { FieldError } from '../messages/generated-types.js';
import { unstorableContent } from '../messages/storable-content.js';

/**
 * Query strings, path parameters and parsed JSON bodies hold text the database cannot take as a
 * parameter (U+0000, unpaired surrogates; see storable-content.ts). A search for "A%00B" used to
 * reach PostgreSQL and come back as a 500. Each such request is now a 400 naming the field, as
 * fastify's own validation would. Bodies that routes take as raw bytes go to intake, which checks
 * them itself.
 */
export function refuseUnstorableText(app: FastifyInstance, maxDepth: number): void {
  app.addHook('preValidation', async (request) => {
    const errors: FieldError[] = [];
    for (const [where, value] of [
      ['querystring', request.query],
      ['params', request.params],
      ['body', Buffer.isBuffer(request.body) ? undefined : request.body],
    ] as const) {
      if (value === undefined || value === null) continue;
      for (const e of unstorableContent(value, maxDepth).errors) errors.push({ ...e, pointer: `/${where}${e.pointer === '/' ? '' : e.pointer}` });
    }
    if (errors.length) throw new HubError('BAD_REQUEST', 'the request holds text the hub cannot take', errors);
  });
}

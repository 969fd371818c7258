import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { Hub } from '../../src/hub.js';
import type { MessageHandler } from '../../src/pipeline/message-handler.js';
import { testEnvironment } from '../support/test-environment.js';

/** The hub refuses to start on configuration it cannot honour, saying exactly what is wrong. */
const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

async function configWith(partnerFile: string, content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tracehub-config-'));
  made.push(dir);
  await cp(join(import.meta.dirname, '../../config'), dir, { recursive: true });
  await writeFile(join(dir, 'partners', partnerFile), JSON.stringify(content));
  return dir;
}

describe('starting the hub', () => {
  it('stops on an invalid partner file, naming the file, the field and the problem', async () => {
    const dir = await configWith('IT.json', { country: 'IT', name: 'Italy', ncb: { agency: 'NCB-ROMA', name: 'NCB Rome' }, inbound: [{ channel: 'fax', format: 'canonical-json' }], replies: { channel: 'rest', format: 'canonical-json' } });
    const err = await Hub.create({ env: testEnvironment('cfg', { configDir: dir }), migrate: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('partners/IT.json');
    expect((err as Error).message).toContain('/inbound/0/channel: must be one of: rest, amqp, sftp');
  });

  it('stops when a partner wants replies on a channel the hub cannot deliver over', async () => {
    const dir = await configWith('IT.json', { country: 'IT', name: 'Italy', ncb: { agency: 'NCB-ROMA', name: 'NCB Rome' }, inbound: [{ channel: 'rest', format: 'canonical-json' }], replies: { channel: 'rest', format: 'edifact' } });
    const err = await Hub.create({ env: testEnvironment('cfg', { configDir: dir }), migrate: false }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/IT\.json:\n\s+\/replies\/format: no format adapter named "edifact"/);
  });

  it('stops when an inbound message type has no handler, or a handler has no message type', async () => {
    const orphan: MessageHandler<never> = { type: 'record.teleport', apply: async () => undefined };
    const err = await Hub.create({ env: testEnvironment('cfg'), migrate: false, handlers: [orphan] }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/handler for record\.teleport, which has no schema/);
  });
});

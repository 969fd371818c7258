import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PartnerConfig } from '../../src/messages/generated-types.js';

/**
 * A copy of config/ with extra partner files, for tests of channels that the example partners
 * do not use. Returns the directory (the hub's CONFIG_DIR) and a function that removes it.
 */
export async function configWithPartners(partners: PartnerConfig[]): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tracehub-partners-'));
  await cp(join(import.meta.dirname, '../../config'), dir, { recursive: true });
  for (const p of partners) await writeFile(join(dir, 'partners', `${p.country}.json`), JSON.stringify(p, null, 2));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

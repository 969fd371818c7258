import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { HubConfig, PartnerConfig } from '../messages/generated-types.js';
import type { SchemaCatalog } from '../messages/schema-catalog.js';
import { ConfigError } from './config-error.js';

export interface LoadedConfig {
  hub: HubConfig;
  /** Partner countries by ISO alpha-2 code. */
  partners: ReadonlyMap<string, PartnerConfig>;
}

/** Reads a JSON configuration file; any fault is a ConfigError naming the file. */
export function readJsonConfig(file: string, shownAs: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(shownAs, [{ pointer: '', message: `cannot be read (${(err as NodeJS.ErrnoException).code})` }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(shownAs, [{ pointer: '', message: `is not valid JSON: ${(err as Error).message}` }]);
  }
}

/**
 * Reads config/hub.json and config/partners/*.json and validates each against its schema, then the
 * rules that span files. Any fault stops the start with a message naming file, field and problem.
 */
export function loadConfig(configDir: string, catalog: SchemaCatalog): LoadedConfig {
  const shown = (file: string) => relative(process.cwd(), file) || file;

  const hubFile = join(configDir, 'hub.json');
  const hub = readJsonConfig(hubFile, shown(hubFile));
  const hubErrors = catalog.check('urn:tracehub:schema:config:hub', hub);
  if (hubErrors.length) throw new ConfigError(shown(hubFile), hubErrors.map((e) => ({ pointer: e.pointer ?? '', message: e.message })));
  const hubConfig = hub as HubConfig;
  if (!Object.hasOwn(hubConfig.retention.classes, hubConfig.retention.defaultClass)) {
    throw new ConfigError(shown(hubFile), [
      { pointer: '/retention/defaultClass', message: `names class "${hubConfig.retention.defaultClass}", which /retention/classes does not define` },
    ]);
  }

  const partnerDir = join(configDir, 'partners');
  const partners = new Map<string, PartnerConfig>();
  let names: string[];
  try {
    names = readdirSync(partnerDir);
  } catch (err) {
    throw new ConfigError(shown(partnerDir), [{ pointer: '', message: `cannot be read (${(err as NodeJS.ErrnoException).code}); it holds one file per partner country` }]);
  }
  const files = names.filter((f) => f.endsWith('.json')).sort();
  for (const name of files) {
    const file = join(partnerDir, name);
    const doc = readJsonConfig(file, shown(file));
    const errors = catalog.check('urn:tracehub:schema:config:partner', doc);
    if (errors.length) throw new ConfigError(shown(file), errors.map((e) => ({ pointer: e.pointer ?? '', message: e.message })));
    const partner = doc as PartnerConfig;
    if (`${partner.country}.json` !== name) {
      throw new ConfigError(shown(file), [{ pointer: '/country', message: `is "${partner.country}" but the file is named ${name}; name it ${partner.country}.json` }]);
    }
    if (partner.country === hubConfig.identity.country) {
      throw new ConfigError(shown(file), [{ pointer: '/country', message: `"${partner.country}" is the hub's own identity country` }]);
    }
    if (partner.retentionClass && !Object.hasOwn(hubConfig.retention.classes, partner.retentionClass)) {
      throw new ConfigError(shown(file), [
        { pointer: '/retentionClass', message: `"${partner.retentionClass}" is not a retention class in hub.json (${Object.keys(hubConfig.retention.classes).join(', ')})` },
      ]);
    }
    partners.set(partner.country, partner);
  }
  return { hub: hubConfig, partners };
}

/** How deeply a message may nest (messages.maxDepth; the schema's default when a config built in code has none). */
export function messageMaxDepth(config: LoadedConfig): number {
  return config.hub.messages?.maxDepth ?? 32;
}

/** The retention class a sender's messages are kept in. */
export function retentionClassOf(config: LoadedConfig, country: string | null | undefined): string {
  return (country && config.partners.get(country)?.retentionClass) || config.hub.retention.defaultClass;
}

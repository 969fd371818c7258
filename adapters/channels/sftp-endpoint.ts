import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { LoadedConfig } from '../../src/config/load-config.js';
import type { PartnerConfig } from '../../src/messages/generated-types.js';
import type { FileFormat, FormatAdapter } from '../formats/format-adapter.js';

/**
 * A partner's SFTP drop as the hub uses it: where to connect, with what credentials, which
 * directories hold what, how a complete file is recognised and which format reads which file.
 * Built from the partner file and the environment at start; configuration faults are reported
 * per file and field, and an endpoint whose environment is missing here is left out, with the
 * reason (a developer machine has no partner servers; production sets the variables).
 */
export interface SftpConnectionSettings {
  host: string;
  port: number;
  username: string;
  privateKey?: Buffer;
  password?: string;
  /** 'SHA256:<base64>' as ssh-keygen prints it; absent: the host key is not checked. */
  hostKeySha256?: string;
}

export interface SftpInboundFormat {
  format: string;
  adapter: FormatAdapter;
  file: FileFormat;
  /** File name patterns; undefined: every file (the only SFTP format of the partner). */
  patterns?: RegExp[];
  /** The patterns as configured ('*.csv'). */
  globs?: string[];
}

export interface SftpEndpoint {
  country: string;
  /** The agency the partner's files are from (its NCB unless configured). */
  agency: string;
  /** Stable name of the endpoint: the single-active lease and the file records are keyed by it. */
  key: string;
  connection: SftpConnectionSettings;
  paths: { inbox: string; outbox: string; processing: string; processed: string; failed: string };
  completion: { convention: 'done-file' | 'rename'; doneSuffix: string; tempSuffixes: string[] };
  pollIntervalMs: number;
  outboundBatchMessages: number;
  /** Formats the partner sends over SFTP; empty when it only takes replies there. */
  inbound: SftpInboundFormat[];
}

export interface ConfigProblem {
  file: string;
  pointer: string;
  message: string;
}

export interface SftpEndpoints {
  endpoints: Map<string, SftpEndpoint>;
  /** Partners that use SFTP but whose endpoint cannot be used on this machine, with the reason. */
  unavailable: Map<string, string>;
  problems: ConfigProblem[];
}

export function usesSftp(p: PartnerConfig): boolean {
  return p.replies.channel === 'sftp' || p.inbound.some((i) => i.channel === 'sftp');
}

/** `${NAME}` and `${NAME:-default}` from the environment; the names of unset variables otherwise. */
export function expandEnvironment(text: string, env: NodeJS.ProcessEnv): { value: string } | { missing: string[] } {
  const missing: string[] = [];
  const value = text.replace(/\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return '';
  });
  return missing.length ? { missing } : { value };
}

/** A file name pattern ('*.csv', 'records-*.xml') as a regular expression over the whole name. */
export function namePattern(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
}

function sibling(inbox: string, name: string): string {
  const parent = posix.dirname(inbox.replace(/\/+$/, ''));
  return parent === '.' ? name : posix.join(parent, name);
}

function readKey(value: string): Buffer | { error: string } {
  if (value.includes('-----BEGIN')) return Buffer.from(value.replace(/\\n/g, '\n'));
  try {
    return readFileSync(value);
  } catch (err) {
    return { error: `cannot read the private key file ${value} (${(err as NodeJS.ErrnoException).code})` };
  }
}

export function resolveSftpEndpoints(config: LoadedConfig, formats: ReadonlyMap<string, FormatAdapter>, env: NodeJS.ProcessEnv = process.env): SftpEndpoints {
  const endpoints = new Map<string, SftpEndpoint>();
  const unavailable = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const p of config.partners.values()) {
    if (!usesSftp(p)) continue;
    const file = `config/partners/${p.country}.json`;
    const s = p.sftp;
    if (!s) {
      problems.push({ file, pointer: '/sftp', message: 'the country sends or takes replies over SFTP, so the file needs sftp.host, sftp.user and sftp.paths' });
      continue;
    }
    if (!s.privateKeyEnv && !s.passwordEnv) problems.push({ file, pointer: '/sftp', message: 'needs privateKeyEnv or passwordEnv: the environment variable holding the credential' });

    const inboundEntries = p.inbound.map((entry, i) => ({ entry, i })).filter(({ entry }) => entry.channel === 'sftp');
    const inbound: SftpInboundFormat[] = [];
    for (const { entry, i } of inboundEntries) {
      const adapter = formats.get(entry.format);
      if (!adapter) continue; // reported by the hub's wiring check
      if (!adapter.file) {
        problems.push({ file, pointer: `/inbound/${i}/format`, message: `the ${entry.format} format cannot be read from files` });
        continue;
      }
      if (inboundEntries.length > 1 && !entry.files) {
        problems.push({ file, pointer: `/inbound/${i}/files`, message: 'the country sends several formats over SFTP, so each needs `files`, the name patterns it reads' });
        continue;
      }
      inbound.push({ format: entry.format, adapter, file: adapter.file, ...(entry.files ? { patterns: entry.files.map(namePattern), globs: entry.files } : {}) });
    }
    if (p.replies.channel === 'sftp') {
      const adapter = formats.get(p.replies.format);
      if (adapter && !adapter.file) problems.push({ file, pointer: '/replies/format', message: `the ${p.replies.format} format cannot be written as files` });
    }

    const missing: string[] = [];
    const expand = (text: string) => {
      const r = expandEnvironment(text, env);
      if ('missing' in r) {
        missing.push(...r.missing);
        return '';
      }
      return r.value;
    };
    const host = expand(s.host);
    const user = expand(s.user);
    const portText = s.port === undefined ? '22' : expand(String(s.port));
    const paths = {
      inbox: expand(s.paths.inbox),
      outbox: expand(s.paths.outbox),
      processing: expand(s.paths.processing ?? sibling(s.paths.inbox, 'processing')),
      processed: expand(s.paths.processed ?? sibling(s.paths.inbox, 'processed')),
      failed: expand(s.paths.failed ?? sibling(s.paths.inbox, 'failed')),
    };
    const hostKey = s.hostKeySha256 ? expand(s.hostKeySha256) : '';
    let privateKey: Buffer | undefined;
    let password: string | undefined;
    if (s.privateKeyEnv) {
      const v = env[s.privateKeyEnv];
      if (!v) missing.push(s.privateKeyEnv);
      else {
        const key = readKey(v);
        if ('error' in key) {
          unavailable.set(p.country, key.error);
          continue;
        }
        privateKey = key;
      }
    }
    if (s.passwordEnv) {
      password = env[s.passwordEnv];
      if (!password && !privateKey) missing.push(s.passwordEnv);
    }
    if (missing.length) {
      unavailable.set(p.country, `environment variable${missing.length > 1 ? 's' : ''} ${[...new Set(missing)].join(', ')} not set`);
      continue;
    }
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      problems.push({ file, pointer: '/sftp/port', message: `"${portText}" is not a TCP port` });
      continue;
    }
    if (hostKey && !/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(hostKey)) {
      problems.push({ file, pointer: '/sftp/hostKeySha256', message: `"${hostKey}" is not a SHA256 fingerprint as ssh-keygen -l -E sha256 prints it (SHA256:...)` });
      continue;
    }
    endpoints.set(p.country, {
      country: p.country,
      agency: s.agency ?? p.ncb.agency,
      key: `${p.country}:${user}@${host}:${port}/${paths.inbox}`,
      connection: { host, port, username: user, ...(privateKey ? { privateKey } : {}), ...(password ? { password } : {}), ...(hostKey ? { hostKeySha256: hostKey } : {}) },
      paths,
      completion: {
        convention: s.completion?.convention ?? 'done-file',
        doneSuffix: s.completion?.doneSuffix ?? '.done',
        tempSuffixes: s.completion?.tempSuffixes ?? ['.part', '.tmp'],
      },
      pollIntervalMs: Math.round((s.pollIntervalSeconds ?? 10) * 1000),
      outboundBatchMessages: s.outboundBatchMessages ?? 1000,
      inbound,
    });
  }
  return { endpoints, unavailable, problems };
}

/** The format that reads a file of this name, if any. */
export function formatForFile(endpoint: SftpEndpoint, name: string): SftpInboundFormat | undefined {
  return endpoint.inbound.find((f) => !f.patterns || f.patterns.some((re) => re.test(name)));
}

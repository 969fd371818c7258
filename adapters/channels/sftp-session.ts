import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, type SFTPWrapper } from 'ssh2';
import type { SftpConnectionSettings } from './sftp-endpoint.js';

/**
 * One SSH connection with its SFTP session, and the few file operations the SFTP channel needs,
 * as promises with errors that say what was being done where. A session that failed is closed;
 * the owner opens a new one (see SftpSessions).
 */
export const SFTP_NO_SUCH_FILE = 2;

export class SftpError extends Error {
  override readonly name = 'SftpError';
  constructor(
    message: string,
    /** SFTP status code (2 no such file, 3 permission denied, 4 failure), when the server gave one. */
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface RemoteEntry {
  name: string;
  size: number;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  isFile: boolean;
  isDirectory: boolean;
}

function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function wrap(what: string, err: unknown): SftpError {
  const e = err as { message?: string; code?: unknown };
  return new SftpError(`${what}: ${e.message ?? String(err)}`, typeof e.code === 'number' ? e.code : undefined);
}

export class SftpSession {
  #closed = false;

  private constructor(
    private readonly client: Client,
    private readonly sftp: SFTPWrapper,
    readonly label: string,
  ) {
    client.on('close', () => (this.#closed = true));
    client.on('error', () => (this.#closed = true));
  }

  static open(settings: SftpConnectionSettings, timeoutMs = 15_000): Promise<SftpSession> {
    const label = `${settings.username}@${settings.host}:${settings.port}`;
    return new Promise((resolve, reject) => {
      const client = new Client();
      let settled = false;
      let keyMismatch: string | undefined;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        client.end();
        if (keyMismatch) reject(new SftpError(`${label} presented host key ${keyMismatch}, not the configured ${settings.hostKeySha256}; refusing to connect`));
        else reject(err instanceof SftpError ? err : wrap(`cannot connect to ${label}`, err));
      };
      client.once('error', fail);
      client.once('close', () => fail(new SftpError(`${label} closed the connection`)));
      client.once('ready', () => {
        client.sftp((err, sftp) => {
          if (err) return fail(wrap(`${label} refused the SFTP subsystem`, err));
          settled = true;
          client.removeListener('error', fail);
          resolve(new SftpSession(client, sftp, label));
        });
      });
      client.connect({
        host: settings.host,
        port: settings.port,
        username: settings.username,
        ...(settings.privateKey ? { privateKey: settings.privateKey } : {}),
        ...(settings.password ? { password: settings.password } : {}),
        readyTimeout: timeoutMs,
        keepaliveInterval: 10_000,
        keepaliveCountMax: 3,
        ...(settings.hostKeySha256
          ? {
              hostVerifier: (key: Buffer) => {
                const seen = fingerprint(key);
                if (seen.replace(/=+$/, '') === settings.hostKeySha256!.replace(/=+$/, '')) return true;
                keyMismatch = seen;
                return false;
              },
            }
          : {}),
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  #call<T>(what: string, run: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      run((err, value) => (err ? reject(wrap(`${what} on ${this.label}`, err)) : resolve(value as T)));
    });
  }

  async list(dir: string): Promise<RemoteEntry[]> {
    const entries = await this.#call<{ filename: string; attrs: { size: number; mtime: number; isFile(): boolean; isDirectory(): boolean } }[]>(`list ${dir}`, (cb) => this.sftp.readdir(dir, cb));
    return entries.map((e) => ({ name: e.filename, size: e.attrs.size, mtime: e.attrs.mtime, isFile: e.attrs.isFile(), isDirectory: e.attrs.isDirectory() }));
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.#call(`stat ${path}`, (cb) => this.sftp.stat(path, cb));
      return true;
    } catch (err) {
      if ((err as SftpError).status === SFTP_NO_SUCH_FILE) return false;
      throw err;
    }
  }

  /** Fails if `to` exists (SFTP rename never overwrites), so a rename is also a claim. */
  rename(from: string, to: string): Promise<void> {
    return this.#call(`rename ${from} to ${to}`, (cb) => this.sftp.rename(from, to, cb));
  }

  async remove(path: string, missingOk = true): Promise<void> {
    try {
      await this.#call(`remove ${path}`, (cb) => this.sftp.unlink(path, cb));
    } catch (err) {
      if (!(missingOk && (err as SftpError).status === SFTP_NO_SUCH_FILE)) throw err;
    }
  }

  /** mkdir -p. */
  async ensureDir(dir: string): Promise<void> {
    const parts = dir.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const path = parts.slice(0, i).join('/');
      if (!path || path === '.') continue;
      if (await this.exists(path)) continue;
      try {
        await this.#call(`mkdir ${path}`, (cb) => this.sftp.mkdir(path, cb));
      } catch (err) {
        if (!(await this.exists(path))) throw err;
      }
    }
  }

  readStream(path: string): Readable {
    return this.sftp.createReadStream(path, { highWaterMark: 256 * 1024 });
  }

  writeStream(path: string): Writable {
    return this.sftp.createWriteStream(path);
  }

  /**
   * Writes a file so that it appears complete or not at all: under a hidden temporary name in the
   * same directory, renamed when every byte is written. `names` are tried in order (a name that
   * exists is skipped); returns the name used.
   */
  async publish(dir: string, names: readonly string[], content: Buffer | AsyncIterable<Buffer | string>): Promise<string> {
    const temp = posix.join(dir, `.${names[0]}.${randomBytes(4).toString('hex')}.part`);
    try {
      await pipeline(Buffer.isBuffer(content) ? Readable.from([content]) : Readable.from(content), this.writeStream(temp));
    } catch (err) {
      await this.remove(temp).catch(() => undefined);
      throw wrap(`write ${temp} on ${this.label}`, err);
    }
    for (const name of names) {
      try {
        await this.rename(temp, posix.join(dir, name));
        return name;
      } catch (err) {
        if (!(await this.exists(posix.join(dir, name)))) {
          await this.remove(temp).catch(() => undefined);
          throw err;
        }
      }
    }
    await this.remove(temp).catch(() => undefined);
    throw new SftpError(`every name for the file in ${dir} is taken (${names.join(', ')}) on ${this.label}`);
  }

  close(): void {
    this.#closed = true;
    this.client.end();
  }
}

/** A session per endpoint, opened on first use and again after a failure. */
export class SftpSessions {
  readonly #open = new Map<string, Promise<SftpSession>>();

  async get(key: string, settings: SftpConnectionSettings): Promise<SftpSession> {
    const current = this.#open.get(key);
    if (current) {
      const s = await current.catch(() => undefined);
      if (s && !s.closed) return s;
      this.#open.delete(key);
    }
    const opening = SftpSession.open(settings);
    this.#open.set(key, opening);
    opening.catch(() => this.#open.delete(key));
    return opening;
  }

  /** Drops a session that failed, so the next use connects again. */
  discard(key: string): void {
    const s = this.#open.get(key);
    this.#open.delete(key);
    void s?.then((x) => x.close()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const all = [...this.#open.values()];
    this.#open.clear();
    await Promise.all(all.map((p) => p.then((s) => s.close()).catch(() => undefined)));
  }
}

import { HubError, TransientError } from './hub-error.js';

export type FailureClass = 'permanent' | 'transient';

/** SQLSTATE classes and codes that mean "try again later", not "your input is wrong". */
const TRANSIENT_SQLSTATE_PREFIXES = ['08', '53', '57', '58'];
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03']);
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Decides whether a failure is the input's fault (reject it, tell the sender) or the environment's
 * (retry with backoff, then dead-letter). Unknown errors count as transient: a bug fixed later
 * should find the message still replayable rather than rejected back to its sender.
 */
export function classifyFailure(err: unknown): FailureClass {
  if (err instanceof HubError) return err.status >= 500 ? 'transient' : 'permanent';
  if (err instanceof TransientError) return 'transient';
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string') {
    if (TRANSIENT_ERRNO.has(e.code) || TRANSIENT_SQLSTATES.has(e.code)) return 'transient';
    if (/^[0-9A-Z]{5}$/.test(e.code) && TRANSIENT_SQLSTATE_PREFIXES.some((p) => e.code!.toString().startsWith(p))) return 'transient';
  }
  return 'transient';
}

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' && !(err instanceof HubError) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/**
 * Whether the database refused a value rather than failed: a data exception (SQLSTATE class 22:
 * out of range, invalid for its type) or a program limit (54: nested too deep, too many items).
 * Retrying fails the same way, so the value's message, not the batch it travels in, is at fault.
 */
export function isRefusedValue(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code);
}

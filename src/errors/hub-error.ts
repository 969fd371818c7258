import type { FieldError } from '../messages/generated-types.js';
import { errorCatalogue, type ErrorCode } from './error-catalogue.js';

/**
 * An error with a catalogue code. Thrown anywhere in the hub; the HTTP layer turns it into
 * problem+json and the pipeline treats it as permanent (the input is at fault, retrying cannot help).
 */
export class HubError extends Error {
  override readonly name = 'HubError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly errors: readonly FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? errorCatalogue[code].title);
    this.status = errorCatalogue[code].status;
  }
}

/** A failure expected to pass (a service down, a lock timeout): retried with backoff, then dead-lettered. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
}

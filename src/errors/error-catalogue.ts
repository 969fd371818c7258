/**
 * Every error the hub returns to a caller, with a stable code that partners can program against.
 * Codes never change meaning; new situations get new codes. Problem `type` URIs are URNs derived
 * from the code, so they resolve to this catalogue rather than to a web page that may move.
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, title: 'The message is not valid' },
  MALFORMED_BODY: { status: 400, title: 'The body could not be parsed' },
  BAD_REQUEST: { status: 400, title: 'The request is not valid' },
  UNAUTHENTICATED: { status: 401, title: 'A valid API key is required' },
  FORBIDDEN: { status: 403, title: 'The caller may not do this' },
  ACCESS_NOT_GRANTED: { status: 403, title: "The agency's access is not approved by its National Central Bureau, or is suspended, revoked or expired" },
  OUTSIDE_SCOPE: { status: 403, title: "This is outside the scope its National Central Bureau approved for the agency" },
  SENDER_MISMATCH: { status: 403, title: 'The message names a sender other than the authenticated agency' },
  NOT_FOUND: { status: 404, title: 'No such resource, or not visible to the caller' },
  CONFLICT: { status: 409, title: 'The request conflicts with the current state' },
  NOT_REPLAYABLE: { status: 409, title: 'The message is not in a state that can be replayed' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The body exceeds the size limit' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not accepted here' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal error' },
  SERVICE_UNAVAILABLE: { status: 503, title: 'A service the hub depends on is unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export function problemType(code: ErrorCode): string {
  return `urn:tracehub:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

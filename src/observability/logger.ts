import { pino, type Logger } from 'pino';

/**
 * JSON logs to stdout. Anything about a message is logged from a child logger carrying its
 * correlationId (and ledgerId), so one grep follows a message from channel to reply.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'tracehub' },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.apiKey', '*.secret'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

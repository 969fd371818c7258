/**
 * The hub's queues. Jobs carry ids only; the ledger (PostgreSQL) holds every message, so Redis can
 * lose its data and the sweeper rebuilds the work from the database.
 *
 *   apply              ledger ids of validated messages -> handlers -> outbox (one transaction)
 *   deliver-<channel>  outbox ids -> the channel that recipient uses
 *   maintenance        repeatable: sweep unfinished work, roll ledger partitions
 */
export const QueueName = {
  apply: 'apply',
  maintenance: 'maintenance',
  deliver: (channel: string) => `deliver-${channel}`,
} as const;

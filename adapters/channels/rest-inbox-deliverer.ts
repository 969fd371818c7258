import type { ChannelDeliverer } from './channel-deliverer.js';

/**
 * The REST pull channel: the partner collects from GET /v1/inbox and acknowledges each item.
 * Delivering is only making the row visible there: rows are written delivered as they commit
 * (see DeliverAtCommit), and this deliverer only marks those held back while the partner was paused.
 */
export const restInboxDeliverer: ChannelDeliverer = {
  channel: 'rest',
  pull: true,
  async deliver(rows) {
    return rows.map((r) => ({ id: r.id, ok: true }));
  },
};

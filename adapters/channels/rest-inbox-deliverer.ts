import type { ChannelDeliverer } from './channel-deliverer.js';

/**
 * The REST pull channel: the partner collects from GET /v1/inbox and acknowledges each item.
 * Delivering is only making the row visible there, which the delivery stage does by marking it
 * delivered; there is nothing to send.
 */
export const restInboxDeliverer: ChannelDeliverer = {
  channel: 'rest',
  async deliver(rows) {
    return rows.map((r) => ({ id: r.id, ok: true }));
  },
};

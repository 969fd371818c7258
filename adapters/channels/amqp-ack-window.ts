/**
 * Acknowledgements for one consumer channel, coalesced. Messages are stored in group commits, so
 * hundreds finish in the same tick; instead of one basic.ack frame each, the window acknowledges
 * the longest finished run at the front of the deliveries with a single `multiple` ack, once per
 * tick. A message is never acknowledged before it is finished: one still being stored holds back
 * the acknowledgement of those delivered after it (they stay unacknowledged, and would be
 * delivered again and recognised as repeats if the channel closed meanwhile).
 */
export interface AckTarget<M> {
  ack(message: M, allUpTo?: boolean): void;
}

export class AckWindow<M extends { fields: { deliveryTag: number } }> {
  /** Deliveries not yet acknowledged, in delivery order, with whether each is finished. */
  readonly #pending: { message: M; finished: boolean; ack: boolean }[] = [];
  readonly #byTag = new Map<number, { message: M; finished: boolean; ack: boolean }>();
  #scheduled = false;
  #closed = false;

  constructor(
    private readonly channel: AckTarget<M>,
    private readonly schedule: (fn: () => void) => void = setImmediate,
  ) {}

  /** A delivery arrived (call in delivery order). */
  track(message: M): void {
    const entry = { message, finished: false, ack: false };
    this.#pending.push(entry);
    this.#byTag.set(message.fields.deliveryTag, entry);
  }

  /**
   * The delivery is dealt with: `ack` true to acknowledge it, false when it was settled another
   * way (nacked to the dead-letter queue) and only must not hold the others back.
   */
  finish(message: M, ack: boolean): void {
    const entry = this.#byTag.get(message.fields.deliveryTag);
    if (!entry || entry.message !== message) return;
    entry.finished = true;
    entry.ack = ack;
    if (!this.#scheduled && !this.#closed) {
      this.#scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  /** Acknowledges the finished run at the front; returns how many deliveries it settled. */
  flush(): number {
    this.#scheduled = false;
    if (this.#closed) return 0;
    let last: M | undefined;
    let settled = 0;
    while (this.#pending.length && this.#pending[0]!.finished) {
      const entry = this.#pending.shift()!;
      this.#byTag.delete(entry.message.fields.deliveryTag);
      if (entry.ack) last = entry.message;
      settled++;
    }
    // Deliveries nacked before `last` are no longer outstanding: `multiple` does not touch them.
    if (last) {
      try {
        this.channel.ack(last, true);
      } catch {
        // The channel closed meanwhile: the broker delivers these again, and they are recognised.
        this.close();
      }
    }
    return settled;
  }

  /** How many deliveries are not acknowledged yet. */
  get size(): number {
    return this.#pending.length;
  }

  /** The channel is gone: nothing more can be acknowledged on it. */
  close(): void {
    this.#closed = true;
    this.#pending.length = 0;
    this.#byTag.clear();
  }
}

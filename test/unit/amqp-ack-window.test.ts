import { describe, expect, it } from 'vitest';
import { AckWindow } from '../../adapters/channels/amqp-ack-window.js';

/** Coalesced acknowledgements: one `multiple` ack for the finished run at the front, never past an unfinished one. */
type Msg = { fields: { deliveryTag: number } };
const msg = (tag: number): Msg => ({ fields: { deliveryTag: tag } });

function setup() {
  const acks: [number, boolean | undefined][] = [];
  const queued: (() => void)[] = [];
  const window = new AckWindow<Msg>({ ack: (m, all) => acks.push([m.fields.deliveryTag, all]) }, (fn) => queued.push(fn));
  const tick = () => queued.splice(0).forEach((fn) => fn());
  return { acks, window, tick, queued };
}

describe('the acknowledgement window', () => {
  it('acknowledges everything finished in one tick with a single multiple ack', () => {
    const { acks, window, tick, queued } = setup();
    const ms = [1, 2, 3, 4].map(msg);
    ms.forEach((m) => window.track(m));
    ms.forEach((m) => window.finish(m, true));
    expect(queued).toHaveLength(1);
    tick();
    expect(acks).toEqual([[4, true]]);
    expect(window.size).toBe(0);
  });

  it('holds back what finished after one still being stored, and catches up when it finishes', () => {
    const { acks, window, tick } = setup();
    const ms = [1, 2, 3, 4].map(msg);
    ms.forEach((m) => window.track(m));
    window.finish(ms[0]!, true);
    window.finish(ms[2]!, true);
    window.finish(ms[3]!, true);
    tick();
    expect(acks).toEqual([[1, true]]);
    expect(window.size).toBe(3);
    window.finish(ms[1]!, true);
    tick();
    expect(acks).toEqual([[1, true], [4, true]]);
  });

  it('lets a dead-lettered delivery through without acknowledging it, and acks only up to the last acknowledged one', () => {
    const { acks, window, tick } = setup();
    const ms = [7, 8, 9].map(msg);
    ms.forEach((m) => window.track(m));
    window.finish(ms[0]!, true);
    window.finish(ms[1]!, true);
    window.finish(ms[2]!, false);
    tick();
    expect(acks).toEqual([[8, true]]);
    expect(window.size).toBe(0);
  });

  it('acknowledges nothing once its channel is closed, and survives a channel that fails the ack', () => {
    const { acks, window, tick } = setup();
    window.track(msg(1));
    window.close();
    window.finish(msg(1), true);
    tick();
    expect(acks).toEqual([]);
    const failing = new AckWindow<Msg>({ ack: () => { throw new Error('Channel closed'); } }, (fn) => fn());
    const m = msg(1);
    failing.track(m);
    expect(() => failing.finish(m, true)).not.toThrow();
    expect(failing.size).toBe(0);
  });
});

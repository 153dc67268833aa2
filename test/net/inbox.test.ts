// The inbox: one ordered stream per connection — frames in arrival order, then the close — that
// consumers take from and watchers only observe.
import { describe, expect, it } from 'vitest';
import { Inbox, nextSeq, toReceived, type Arrival } from '../../src/net/inbox.ts';

const frame = (type: string, id: string, body: unknown = {}) =>
  toReceived({ type, id, payload: new TextEncoder().encode(JSON.stringify({ type, ...(body as object) })) });

describe('Inbox', () => {
  it('yields frames in arrival order, then the close once every frame is taken', () => {
    const inbox = new Inbox();
    const a = frame('UserConnected', 'aaaaaaaaaaaa');
    const b = frame('UserDisconnected', 'bbbbbbbbbbbb');
    inbox.push(a);
    inbox.push(b);
    inbox.close({ reason: 'eof', seq: nextSeq() });
    inbox.push(frame('Late', 'cccccccccccc')); // nothing arrives after the close
    expect(inbox.head()).toEqual({ kind: 'frame', frame: a, seq: a.seq });
    expect(inbox.shift()).toBe(a);
    expect(inbox.head()).toEqual({ kind: 'frame', frame: b, seq: b.seq });
    expect(inbox.shift()).toBe(b);
    expect(inbox.head()).toMatchObject({ kind: 'close', info: { reason: 'eof' } });
    expect(inbox.frames()).toEqual([]);
    expect(inbox.count).toBe(2);
  });

  it('watchers see every arrival, taken or not, and never take one', () => {
    const inbox = new Inbox();
    const seen: string[] = [];
    const off = inbox.watch((x: Arrival) => seen.push(x.kind === 'frame' ? x.frame.raw.id : 'close'));
    const a = frame('A', 'aaaaaaaaaaaa');
    inbox.push(a);
    expect(inbox.remove(a)).toBe(true);
    expect(inbox.remove(a)).toBe(false); // taken once only
    inbox.push(frame('B', 'bbbbbbbbbbbb'));
    off();
    inbox.close({ reason: 'local', seq: nextSeq() });
    expect(seen).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
    expect(inbox.frames().map((r) => r.raw.id)).toEqual(['bbbbbbbbbbbb']);
  });

  it('a new consumer starts from what arrives next; the counters say what arrived and what is unread', () => {
    const inbox = new Inbox();
    inbox.push(frame('A', 'aaaaaaaaaaaa'));
    inbox.discardPending();
    expect(inbox.head()).toBeNull();
    expect(inbox.pendingBytes).toBe(0);
    const b = frame('B', 'bbbbbbbbbbbb');
    inbox.push(b);
    expect(inbox.takeFirst((r) => r.raw.type === 'B')).toBe(b);
    expect(inbox.count).toBe(2);
    expect([inbox.pendingCount, inbox.pendingBytes]).toEqual([0, 0]);
  });

  it('holds only what is not taken: pending frames and bytes fall with every way of taking', () => {
    const inbox = new Inbox();
    const fs = ['A', 'B', 'C', 'D'].map((t) => frame(t, `${t.toLowerCase()}`.repeat(12), { pad: t.repeat(10) }));
    const size = (r: (typeof fs)[number]): number => r.raw.payload.length;
    for (const f of fs) inbox.push(f);
    expect([inbox.pendingCount, inbox.pendingBytes]).toEqual([4, fs.reduce((n, r) => n + size(r), 0)]);
    inbox.shift();
    inbox.remove(fs[2]!);
    expect(inbox.remove(fs[2]!)).toBe(false); // taken already: not counted twice
    expect([inbox.pendingCount, inbox.pendingBytes]).toEqual([2, size(fs[1]!) + size(fs[3]!)]);
    inbox.takeFirst((r) => r.raw.type === 'D');
    expect(inbox.frames()).toEqual([fs[1]]);
    expect([inbox.pendingCount, inbox.pendingBytes]).toEqual([1, size(fs[1]!)]);
    inbox.discardPending();
    expect([inbox.pendingCount, inbox.pendingBytes, inbox.count]).toEqual([0, 0, 4]);
  });
});

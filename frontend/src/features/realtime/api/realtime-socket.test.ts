import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeConnectivity, fakeSockets } from '../../../test/fake-socket';
import type { ChatEvent } from '../../../api/chat-api';
import { DEFAULT_TIMING, RealtimeSocket, parseFrame, tokenExpiry, type RealtimeSocketOptions } from './realtime-socket';

function setup(overrides: Partial<RealtimeSocketOptions> = {}, autoPong = false) {
  const fake = fakeSockets({ autoPong });
  const net = new FakeConnectivity();
  const events: ChatEvent[] = [];
  let token: string | undefined = 'TOKEN1';
  const socket = new RealtimeSocket({
    url: 'ws://parley.test/ws',
    getToken: () => token,
    onEvent: (e) => events.push(e),
    createSocket: fake.create,
    connectivity: net,
    random: () => 0,
    ...overrides,
  });
  const states = () => events.filter((e) => e.type === 'connection').map((e) => (e as { state: string }).state);
  return { socket, fake, net, events, states, setToken: (t: string | undefined) => (token = t) };
}

describe('RealtimeSocket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the token as a subprotocol beside parley.v1, never in the URL, and reports open', () => {
    const { socket, fake, states } = setup();
    socket.start();
    expect(fake.sockets).toHaveLength(1);
    expect(fake.last().url).toBe('ws://parley.test/ws');
    expect(fake.last().protocols).toEqual(['parley.v1', 'bearer.TOKEN1']);
    expect(states()).toEqual(['connecting']);
    fake.last().accept();
    expect(socket.state).toBe('open');
    expect(states()).toEqual(['connecting', 'open']);
  });

  it('reconnects with exponential backoff, jittered and capped', () => {
    const random = vi.fn(() => 0);
    const { socket, fake } = setup({ random });
    socket.start();
    fake.last().refuse();
    // Half of the delay is fixed, half random: with random() = 0, 250 ms, then 500, 1000, …
    const expected = [250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000];
    for (const [i, delay] of expected.entries()) {
      const count = fake.sockets.length;
      vi.advanceTimersByTime(delay - 1);
      expect(fake.sockets).toHaveLength(count);
      vi.advanceTimersByTime(1);
      expect(fake.sockets).toHaveLength(count + 1);
      // With random() = 1 the whole delay: the cap of 30 s.
      if (i === expected.length - 1) random.mockReturnValue(1);
      fake.last().refuse();
    }
    const count = fake.sockets.length;
    vi.advanceTimersByTime(15_000);
    expect(fake.sockets).toHaveLength(count);
    vi.advanceTimersByTime(15_000);
    expect(fake.sockets).toHaveLength(count + 1);
  });

  it('reports open again on every reconnect, so listeners resync', () => {
    const { socket, fake, states } = setup();
    socket.start();
    fake.last().accept();
    fake.last().drop();
    expect(socket.state).toBe('closed');
    vi.advanceTimersByTime(250);
    fake.last().accept();
    expect(states()).toEqual(['connecting', 'open', 'closed', 'connecting', 'open']);
  });

  it('starts the backoff over after a connection that lived, not after one that dropped at once', () => {
    const { socket, fake } = setup();
    socket.start();
    fake.last().refuse();
    vi.advanceTimersByTime(250);
    fake.last().refuse();
    vi.advanceTimersByTime(500);
    fake.last().accept();
    fake.last().drop(); // dropped at once: the backoff goes on (1000 ms)
    vi.advanceTimersByTime(999);
    expect(fake.sockets).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(fake.sockets).toHaveLength(4);
    fake.last().accept();
    vi.advanceTimersByTime(DEFAULT_TIMING.stableMs);
    fake.last().drop(); // lived: back to the first delay
    vi.advanceTimersByTime(250);
    expect(fake.sockets).toHaveLength(5);
  });

  it.each([
    ['a closing frame, then a plain close (API Gateway)', 1000, true],
    ['the close code itself (the local server)', 4008, false],
  ])('does not reconnect after "too many connections" told by %s, until the tab comes back', (_, code, frame) => {
    const { socket, fake, net } = setup();
    socket.start();
    fake.last().accept();
    if (frame) fake.last().receive({ type: 'closing', code: 4008, reason: 'too many connections' });
    fake.last().drop(code);
    expect(socket.state).toBe('closed');
    vi.advanceTimersByTime(10 * DEFAULT_TIMING.backoffMaxMs);
    expect(fake.sockets).toHaveLength(1);
    net.fire('visible');
    expect(fake.sockets).toHaveLength(2);
  });

  it('replaces the connection before the token it was opened with expires', () => {
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const exp = Date.now() / 1000 + 20 * 60;
    const jwt = (e: number) => `h.${btoa(JSON.stringify({ exp: e })).replace(/=+$/, '')}.s`;
    const { socket, fake, setToken } = setup({}, true);
    setToken(jwt(exp));
    socket.start();
    fake.last().accept();
    setToken(jwt(exp + 3600));
    vi.advanceTimersByTime(20 * 60_000 - DEFAULT_TIMING.tokenMarginMs - 1);
    expect(fake.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(fake.sockets).toHaveLength(2);
    expect(fake.last().protocols).toEqual(['parley.v1', `bearer.${jwt(exp + 3600)}`]);
  });

  it('reads the expiry of a JWT, and nothing from what is not one', () => {
    expect(tokenExpiry(`h.${btoa('{"exp":1767225600}')}.s`)).toBe(1_767_225_600_000);
    expect(tokenExpiry('TOKEN1')).toBeUndefined();
    expect(tokenExpiry('h.!!!.s')).toBeUndefined();
  });

  it('delivers frames as events and ignores malformed ones', () => {
    const { socket, fake, events } = setup();
    socket.start();
    fake.last().accept();
    const message = { id: '01', message: 'hi', date: '2026-01-01T00:00:00Z', sender: 'b@x.io', recipient: 'a@x.io', them: true };
    fake.last().receive({ type: 'message', message });
    fake.last().receive({ type: 'receipt', with: 'b@x.io', delivered: '01', read: '' });
    fake.last().receive({ type: 'typing', from: 'b@x.io' });
    fake.last().receive({ type: 'pong' });
    fake.last().receive('not json');
    fake.last().receive({ type: 'message', message: { id: 3 } });
    fake.last().receive({ type: 'surprise' });
    expect(events.filter((e) => e.type !== 'connection')).toEqual([
      { type: 'message', message },
      { type: 'receipt', with: 'b@x.io', delivered: '01', read: '' },
      { type: 'typing', from: 'b@x.io' },
    ]);
  });

  it('replaces the connection before the 2-hour cap, opening the new one before closing the old', () => {
    const { socket, fake, states, events } = setup({ random: () => 0.5 }, true);
    socket.start();
    const first = fake.last();
    first.accept();
    // 110 min minus half of the 10 min jitter.
    vi.advanceTimersByTime(105 * 60_000 - 1);
    expect(fake.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(fake.sockets).toHaveLength(2);
    expect(first.closedWith).toBeUndefined();
    expect(socket.state).toBe('open');
    const second = fake.last();
    second.accept();
    expect(first.closedWith).toBe(1000);
    expect(states().at(-1)).toBe('open');
    expect(states().filter((s) => s === 'closed')).toHaveLength(0);
    // Frames of the old connection are no longer delivered.
    const count = events.length;
    first.receive({ type: 'typing', from: 'b@x.io' });
    expect(events).toHaveLength(count);
    expect(socket.send({ action: 'ping' })).toBe(true);
    expect(second.frames().at(-1)).toEqual({ action: 'ping' });
  });

  it('reconnects with the new token when the token is renewed', () => {
    const { socket, fake, setToken } = setup();
    socket.start();
    const first = fake.last();
    first.accept();
    setToken('TOKEN2');
    socket.renew();
    expect(fake.last().protocols).toEqual(['parley.v1', 'bearer.TOKEN2']);
    fake.last().accept();
    expect(first.closedWith).toBe(1000);
  });

  it('keeps the open connection when its replacement fails', () => {
    const { socket, fake, setToken } = setup();
    socket.start();
    const first = fake.last();
    first.accept();
    setToken('TOKEN2');
    socket.renew();
    fake.last().refuse();
    expect(socket.state).toBe('open');
    expect(first.closedWith).toBeUndefined();
    vi.advanceTimersByTime(30_000);
    expect(fake.sockets.length).toBeGreaterThan(2);
  });

  it('pings before the 10-minute idle timeout and takes a connection without answer for dead', () => {
    const { socket, fake } = setup();
    socket.start();
    const ws = fake.last();
    ws.accept();
    vi.advanceTimersByTime(DEFAULT_TIMING.pingIdleMs);
    expect(ws.frames()).toEqual([{ action: 'ping' }]);
    expect(DEFAULT_TIMING.pingIdleMs).toBeLessThan(10 * 60_000);
    ws.receive({ type: 'pong' });
    vi.advanceTimersByTime(DEFAULT_TIMING.pongTimeoutMs);
    expect(socket.state).toBe('open');

    // A frame sent resets the idle clock.
    socket.send({ action: 'typing', to: 'b@x.io' });
    vi.advanceTimersByTime(DEFAULT_TIMING.pingIdleMs - 1);
    expect(ws.frames().filter((f) => (f as { action: string }).action === 'ping')).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(ws.frames().filter((f) => (f as { action: string }).action === 'ping')).toHaveLength(2);

    // No answer: dead, closed, and a new connection follows.
    vi.advanceTimersByTime(DEFAULT_TIMING.pongTimeoutMs);
    expect(socket.state).toBe('closed');
    expect(ws.closedWith).toBe(1000);
    vi.advanceTimersByTime(250);
    expect(fake.sockets).toHaveLength(2);
  });

  it('drops the connection when the device goes offline and reconnects at once when it is back', () => {
    const { socket, fake, net } = setup();
    socket.start();
    fake.last().accept();
    net.set(false);
    expect(socket.state).toBe('closed');
    expect(fake.last().closedWith).toBe(1000);
    // While offline, retries do not open sockets.
    vi.advanceTimersByTime(60_000);
    expect(fake.sockets).toHaveLength(1);
    net.set(true);
    expect(fake.sockets).toHaveLength(2);
    fake.last().accept();
    expect(socket.state).toBe('open');
  });

  it('checks an open connection with a ping when the tab comes back into view', () => {
    const { socket, fake, net } = setup();
    socket.start();
    fake.last().accept();
    net.fire('visible');
    expect(fake.last().frames()).toEqual([{ action: 'ping' }]);
  });

  it('abandons a handshake that hangs', () => {
    const { socket, fake } = setup();
    socket.start();
    vi.advanceTimersByTime(DEFAULT_TIMING.openTimeoutMs);
    expect(fake.sockets[0]!.closedWith).toBe(1000);
    expect(socket.state).toBe('closed');
    vi.advanceTimersByTime(250);
    expect(fake.sockets).toHaveLength(2);
  });

  it('waits for a token before connecting', () => {
    const { socket, fake, setToken } = setup();
    setToken(undefined);
    socket.start();
    expect(fake.sockets).toHaveLength(0);
    setToken('LATE');
    vi.advanceTimersByTime(250);
    expect(fake.last().protocols).toContain('bearer.LATE');
  });

  it('does nothing more once stopped, and sends nothing while closed', () => {
    const { socket, fake } = setup();
    socket.start();
    fake.last().accept();
    socket.stop();
    expect(fake.last().closedWith).toBe(1000);
    expect(socket.state).toBe('closed');
    expect(socket.send({ action: 'ping' })).toBe(false);
    vi.advanceTimersByTime(10 * 60 * 60_000);
    expect(fake.sockets).toHaveLength(1);
  });
});

describe('parseFrame', () => {
  it('reads contact frames and rejects what is not a frame', () => {
    const contact = { id: 'c1', email: 'b@x.io', name: 'B', avatar: '', blocked: false, unread: 2, request: true };
    expect(parseFrame(JSON.stringify({ type: 'contact', contact }))).toEqual({ type: 'contact', contact });
    expect(parseFrame(JSON.stringify({ type: 'contact', contact: { email: 1 } }))).toBeUndefined();
    expect(parseFrame(new ArrayBuffer(2))).toBeUndefined();
    expect(parseFrame('null')).toBeUndefined();
  });
});

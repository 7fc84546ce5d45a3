import type { Connectivity, WebSocketFactory, WebSocketLike } from '../features/realtime/api/realtime-socket';

/** FakeSocket is a WebSocket the test drives: it opens, refuses, receives and drops when told. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  closedWith?: number;
  /** Answer every ping with a pong, as a live server does. */
  autoPong = false;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}

  /** accept completes the handshake. */
  accept(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** refuse fails the handshake, as a browser reports a refused one. */
  refuse(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code: 1006 });
  }

  /** drop ends an open connection from the server's side. */
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }

  /** receive delivers a frame from the server. */
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** frames returns what the client sent, parsed. */
  frames(): unknown[] {
    return this.sent.map((s) => JSON.parse(s) as unknown);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
    if (this.autoPong && (JSON.parse(data) as { action?: string }).action === 'ping') this.receive({ type: 'pong' });
  }

  close(code?: number): void {
    this.readyState = 3;
    this.closedWith = code ?? 1005;
  }
}

/** fakeSockets returns a socket factory and the list of every socket it made. */
export function fakeSockets(options: { autoPong?: boolean } = {}): {
  create: WebSocketFactory;
  sockets: FakeSocket[];
  last: () => FakeSocket;
} {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    create: (url, protocols) => {
      const s = new FakeSocket(url, protocols);
      s.autoPong = options.autoPong ?? false;
      sockets.push(s);
      return s;
    },
    last: () => {
      const s = sockets.at(-1);
      if (!s) throw new Error('no socket was opened');
      return s;
    },
  };
}

/** FakeConnectivity is a device whose network the test switches. */
export class FakeConnectivity implements Connectivity {
  private isOnline = true;
  private readonly handlers = new Map<string, Set<() => void>>();

  online(): boolean {
    return this.isOnline;
  }

  on(event: 'online' | 'offline' | 'visible', fn: () => void): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  set(online: boolean): void {
    this.isOnline = online;
    this.fire(online ? 'online' : 'offline');
  }

  fire(event: 'online' | 'offline' | 'visible'): void {
    for (const fn of [...(this.handlers.get(event) ?? [])]) fn();
  }
}

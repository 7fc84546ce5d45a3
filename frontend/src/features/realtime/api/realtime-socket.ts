import type { ChatEvent, ConnectionState, Contact, Message } from '../../../api/chat-api';

/** The part of the browser's WebSocket the client uses; tests hand in a fake. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** WebSocketFactory opens a socket to url asking for protocols. */
export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

/** Connectivity tells the client when the device goes on or off line, or the tab comes back into view. */
export interface Connectivity {
  online(): boolean;
  /** on registers fn for an event and returns the function that removes it. */
  on(event: 'online' | 'offline' | 'visible', fn: () => void): () => void;
}

/** RealtimeTiming holds every delay of the client, in milliseconds. */
export interface RealtimeTiming {
  /** First reconnect delay; doubles per failed attempt up to backoffMaxMs, with jitter (half fixed, half random). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A handshake that has not completed by then is abandoned. */
  openTimeoutMs: number;
  /** A connection is replaced after maxAgeMs minus up to maxAgeJitterMs: API Gateway closes it at 2 hours. */
  maxAgeMs: number;
  maxAgeJitterMs: number;
  /** A ping goes out when nothing was sent for this long: API Gateway closes a connection idle for 10 minutes. */
  pingIdleMs: number;
  /** With no frame back this long after a ping, the connection is taken for dead. */
  pongTimeoutMs: number;
  /** A connection that lived this long resets the backoff when it drops. */
  stableMs: number;
  /**
   * A connection is replaced this long before the token it was opened with expires: the server ends it then
   * (README.md, "Connections and frames"). The session renews tokens a minute before, which replaces it first.
   */
  tokenMarginMs: number;
}

export const DEFAULT_TIMING: RealtimeTiming = {
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  openTimeoutMs: 10_000,
  maxAgeMs: 110 * 60_000,
  maxAgeJitterMs: 10 * 60_000,
  pingIdleMs: 4 * 60_000,
  pongTimeoutMs: 15_000,
  stableMs: 10_000,
  tokenMarginMs: 30_000,
};

/** The subprotocol of the contract; the token travels as a second one, `bearer.<id_token>`. */
export const PROTOCOL = 'parley.v1';

/** ClientFrame is what the client sends (README.md, "Realtime (WebSocket)"; docs/architecture.md). */
export type ClientFrame =
  | { action: 'typing'; to: string }
  | { action: 'ack'; with: string; upTo: string; read: boolean }
  | { action: 'ping' }
  | { action: 'visibility'; visible: boolean };

export interface RealtimeSocketOptions {
  url: string;
  /** The current ID token; without one the client waits and tries again later. */
  getToken: () => string | undefined;
  onEvent: (event: ChatEvent) => void;
  createSocket?: WebSocketFactory;
  connectivity?: Connectivity;
  random?: () => number;
  timing?: Partial<RealtimeTiming>;
}

const OPEN = 1;

/**
 * Close codes after which the client does not reconnect on its own (README.md, "Connections and frames"): 4008, this
 * tab's connection was the oldest of too many (reconnecting would close another tab's, which would reconnect in turn);
 * 4003, the account is suspended. The server names the code in a `closing` frame first, as API Gateway cannot choose
 * the code it closes with. The tab reconnects when it comes back into view or online: a person's own choice.
 */
export const HOLD_CLOSE_CODES: readonly number[] = [4008, 4003];

interface Attempt {
  ws: WebSocketLike;
  /** When the token it was opened with expires (ms since the epoch), if the token says. */
  tokenExpiresAt?: number;
  openTimer?: ReturnType<typeof setTimeout>;
  openedAt?: number;
}

/**
 * RealtimeSocket keeps one WebSocket open for a tab: it reconnects with exponential backoff and jitter, replaces
 * the connection before API Gateway's 2-hour cap and when the token is renewed (the new one opens before the old
 * one closes), pings before the 10-minute idle timeout and takes a connection with no answer to a ping for dead,
 * drops it when the device goes offline and reconnects at once when it comes back. Every successful (re)connect
 * is reported as a `connection` event with state `open`, so listeners resync what they may have missed.
 */
export class RealtimeSocket {
  private readonly options: RealtimeSocketOptions;
  private readonly timing: RealtimeTiming;
  private readonly createSocket: WebSocketFactory;
  private readonly random: () => number;
  private current?: Attempt;
  private pending?: Attempt;
  private started = false;
  private failures = 0;
  private stateNow: ConnectionState = 'closed';
  private retryTimer?: ReturnType<typeof setTimeout>;
  private ageTimer?: ReturnType<typeof setTimeout>;
  private pingTimer?: ReturnType<typeof setTimeout>;
  private pongTimer?: ReturnType<typeof setTimeout>;
  private unlisten: Array<() => void> = [];
  /** held is set when the server closed the connection with one of HOLD_CLOSE_CODES: no reconnect until cameBack. */
  private held = false;

  constructor(options: RealtimeSocketOptions) {
    this.options = options;
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    // The browser's handlers take a narrower event type than WebSocketLike's; the client reads none of theirs.
    this.createSocket = options.createSocket ?? ((url, protocols) => new WebSocket(url, protocols) as unknown as WebSocketLike);
    this.random = options.random ?? Math.random;
  }

  /** state is the connection's state now. */
  get state(): ConnectionState {
    return this.stateNow;
  }

  /** start opens the connection and keeps it open until stop. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const net = this.options.connectivity;
    if (net) {
      this.unlisten = [
        net.on('offline', () => this.wentOffline()),
        net.on('online', () => this.cameBack()),
        net.on('visible', () => this.cameBack()),
      ];
    }
    this.connect();
  }

  /** stop closes the connection and cancels every timer. */
  stop(): void {
    if (!this.started) return;
    this.started = false;
    for (const off of this.unlisten) off();
    this.unlisten = [];
    clearTimeout(this.retryTimer);
    this.drop(this.pending);
    this.pending = undefined;
    this.dropCurrent();
    this.setState('closed');
  }

  /** renew replaces the connection with one made with the current token (call it when the token is renewed). */
  renew(): void {
    if (!this.started) return;
    if (this.current) this.open();
    else this.connectNow();
  }

  /** send sends a frame if the connection is open; it returns false (and sends nothing) otherwise. */
  send(frame: ClientFrame): boolean {
    const ws = this.current?.ws;
    if (!ws || ws.readyState !== OPEN) return false;
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      return false;
    }
    this.armPing();
    return true;
  }

  private setState(state: ConnectionState): void {
    // `open` is reported on every (re)connect, even open -> open after a replacement: listeners resync.
    if (state === this.stateNow && state !== 'open') return;
    this.stateNow = state;
    this.options.onEvent({ type: 'connection', state });
  }

  private connect(): void {
    if (!this.started || this.current || this.pending) return;
    if (this.options.connectivity && !this.options.connectivity.online()) {
      // The `online` event brings us back; the timer is a safety net in case it never comes.
      this.setState('closed');
      this.scheduleRetry();
      return;
    }
    this.setState('connecting');
    this.open();
  }

  private connectNow(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.failures = 0;
    this.connect();
  }

  /** open starts a handshake; if a connection is open, the new one replaces it once it opens. */
  private open(): void {
    if (this.pending) return;
    const token = this.options.getToken();
    if (!token) {
      this.failed();
      return;
    }
    let ws: WebSocketLike;
    try {
      ws = this.createSocket(this.options.url, [PROTOCOL, `bearer.${token}`]);
    } catch {
      this.failed();
      return;
    }
    const tokenExpiresAt = tokenExpiry(token);
    const attempt: Attempt = tokenExpiresAt === undefined ? { ws } : { ws, tokenExpiresAt };
    this.pending = attempt;
    attempt.openTimer = setTimeout(() => {
      if (this.pending !== attempt) return;
      this.pending = undefined;
      this.drop(attempt);
      this.failed();
    }, this.timing.openTimeoutMs);

    ws.onopen = () => {
      clearTimeout(attempt.openTimer);
      if (this.pending !== attempt) {
        this.drop(attempt);
        return;
      }
      this.pending = undefined;
      attempt.openedAt = Date.now();
      const old = this.current;
      this.current = attempt;
      if (old) this.drop(old);
      this.setState('open');
      this.armAge(attempt);
      this.armPing();
    };
    ws.onmessage = (ev) => {
      if (this.current !== attempt) return;
      clearTimeout(this.pongTimer);
      if (HOLD_CLOSE_CODES.includes(closingCode(ev.data) ?? 0)) this.held = true;
      const event = parseFrame(ev.data);
      if (event) this.options.onEvent(event);
    };
    ws.onerror = () => {
      // A close event follows; it decides what to do.
    };
    ws.onclose = (ev) => {
      clearTimeout(attempt.openTimer);
      if (HOLD_CLOSE_CODES.includes(ev.code ?? 0)) this.held = true;
      if (this.pending === attempt) {
        this.pending = undefined;
        this.failed();
      } else if (this.current === attempt) {
        this.lost();
      }
    };
  }

  /** failed handles a handshake that did not complete. */
  private failed(): void {
    if (!this.started) return;
    if (this.current) {
      // A replacement failed: the open connection carries on; try again a little later.
      clearTimeout(this.ageTimer);
      this.ageTimer = setTimeout(() => this.open(), this.backoff());
      this.failures += 1;
      return;
    }
    this.setState('closed');
    this.scheduleRetry();
  }

  /** lost handles the end of the open connection. */
  private lost(): void {
    const lived = this.current?.openedAt !== undefined ? Date.now() - this.current.openedAt : 0;
    this.dropCurrent();
    if (!this.started) return;
    if (lived >= this.timing.stableMs) this.failures = 0;
    this.setState('closed');
    if (this.pending || this.held) return;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    clearTimeout(this.retryTimer);
    const delay = this.backoff();
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  /** backoff is the delay before the next attempt: exponential, capped, half of it random. */
  private backoff(): number {
    const full = Math.min(this.timing.backoffMaxMs, this.timing.backoffBaseMs * 2 ** Math.min(this.failures, 20));
    return full / 2 + this.random() * (full / 2);
  }

  /** armAge replaces the connection before API Gateway's cap, and before its token expires. */
  private armAge(attempt: Attempt): void {
    clearTimeout(this.ageTimer);
    let age = this.timing.maxAgeMs - this.random() * this.timing.maxAgeJitterMs;
    if (attempt.tokenExpiresAt !== undefined) {
      // Never sooner than a few seconds: a token that is not renewed must not make a loop of handshakes.
      age = Math.min(age, Math.max(attempt.tokenExpiresAt - this.timing.tokenMarginMs - Date.now(), 5_000));
    }
    this.ageTimer = setTimeout(() => this.open(), age);
  }

  private armPing(): void {
    clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => this.ping(), this.timing.pingIdleMs);
  }

  /** ping checks the connection: with no frame back in time, it is taken for dead and replaced. */
  private ping(): void {
    clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => {
      if (this.current) this.lost();
    }, this.timing.pongTimeoutMs);
    if (!this.send({ action: 'ping' })) clearTimeout(this.pongTimer);
  }

  private wentOffline(): void {
    this.drop(this.pending);
    this.pending = undefined;
    if (this.current) this.dropCurrent();
    this.setState('closed');
    this.scheduleRetry();
  }

  private cameBack(): void {
    if (!this.started) return;
    this.held = false;
    if (this.current) {
      // A connection can die silently while the device sleeps or changes network: check it now.
      this.ping();
      return;
    }
    if (!this.pending) this.connectNow();
  }

  private dropCurrent(): void {
    clearTimeout(this.ageTimer);
    clearTimeout(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.drop(this.current);
    this.current = undefined;
  }

  /** drop closes a socket and stops listening to it. */
  private drop(attempt: Attempt | undefined): void {
    if (!attempt) return;
    clearTimeout(attempt.openTimer);
    const { ws } = attempt;
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
    try {
      ws.close(1000);
    } catch {
      // Closing a socket that never opened can throw in some browsers; it is gone either way.
    }
  }
}

/** parseFrame turns a server frame into an event; unknown or malformed frames (and pongs) give undefined. */
export function parseFrame(data: unknown): ChatEvent | undefined {
  if (typeof data !== 'string') return undefined;
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isRecord(frame)) return undefined;
  switch (frame.type) {
    case 'message':
      return isMessage(frame.message) ? { type: 'message', message: frame.message } : undefined;
    case 'receipt':
      if (typeof frame.with !== 'string') return undefined;
      return { type: 'receipt', with: frame.with, delivered: str(frame.delivered), read: str(frame.read) };
    case 'contact':
      return isContact(frame.contact) ? { type: 'contact', contact: frame.contact } : undefined;
    case 'typing':
      return typeof frame.from === 'string' ? { type: 'typing', from: frame.from } : undefined;
    default:
      return undefined;
  }
}

/** tokenExpiry is the `exp` of a JWT, in ms since the epoch; undefined when it cannot be read. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    return isRecord(json) && typeof json.exp === 'number' ? json.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** closingCode is the close code a `closing` frame announces, undefined for any other frame. */
function closingCode(data: unknown): number | undefined {
  if (typeof data !== 'string' || !data.includes('"closing"')) return undefined;
  try {
    const frame: unknown = JSON.parse(data);
    return isRecord(frame) && frame.type === 'closing' && typeof frame.code === 'number' ? frame.code : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function isMessage(v: unknown): v is Message {
  return (
    isRecord(v) &&
    typeof v.id === 'string' &&
    typeof v.message === 'string' &&
    typeof v.date === 'string' &&
    typeof v.sender === 'string' &&
    typeof v.recipient === 'string'
  );
}

function isContact(v: unknown): v is Contact {
  return isRecord(v) && typeof v.email === 'string' && typeof v.id === 'string';
}

/** browserConnectivity reports the browser's online/offline events and the tab becoming visible. */
export function browserConnectivity(): Connectivity {
  return {
    online: () => typeof navigator === 'undefined' || navigator.onLine !== false,
    on(event, fn) {
      if (event === 'visible') {
        const onVisibility = () => {
          if (document.visibilityState === 'visible') fn();
        };
        document.addEventListener('visibilitychange', onVisibility);
        return () => document.removeEventListener('visibilitychange', onVisibility);
      }
      window.addEventListener(event, fn);
      return () => window.removeEventListener(event, fn);
    },
  };
}

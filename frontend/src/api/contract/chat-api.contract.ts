import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, type ChatAPI, type ChatEvent, type Contact, type Message } from '../chat-api';
import { avatar } from '../memory-rules';

/**
 * The contract of the ChatAPI port, written once: what the Parley server does (README.md, "The API" and
 * "Realtime (WebSocket)"; the Go service in core is the truth). memory-chat-api.contract.test.ts runs it against
 * the in-memory adapter in `npm test`; rest-chat-api.contract-server.ts runs it against the REST adapter talking to
 * the real local server (scripts/test-contract.sh, part of `make test-e2e`). An adapter that drifts from the
 * server fails one of them.
 *
 * Every test signs in people with fresh addresses, so the suite needs no reset between tests and runs as well
 * against a server that keeps what earlier tests stored.
 */

/** Backend is what the suite needs of an adapter: people signed in on it. */
export interface Backend {
  /** signIn returns a ChatAPI for email (a lower-case address) on a device of its own. */
  signIn(email: string): Promise<ChatAPI>;
  /** close closes everything signIn opened. */
  close(): Promise<void> | void;
}

/** How long the suite waits for a pushed event before it fails. */
const PUSH_WAIT_MS = 5000;
const run = Math.random().toString(36).slice(2, 8);
let serial = 0;

/** fresh is a new address no test has used, in this run or before, its local part starting with label. */
function fresh(label: string): string {
  serial += 1;
  return `${label}-${run}-${serial}@example.com`;
}

/** local is the part of email before @: the name the server gives a person nobody named. */
const local = (email: string) => email.slice(0, email.indexOf('@'));

/** refusal asserts that promise rejects with an ApiError of code, status and message: the server's words. */
async function refusal(promise: Promise<unknown>, code: string, status: number, message: string): Promise<void> {
  const err = await promise.then(
    (value) => {
      throw new Error(`expected a refusal with ${code}, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  const { code: gotCode, status: gotStatus, message: gotMessage } = err as ApiError;
  expect({ code: gotCode, status: gotStatus, message: gotMessage }).toEqual({ code, status, message });
}

/** invalid asserts a 400 `invalid` refusal with message, which names the field first as all the API's do. */
const invalid = (promise: Promise<unknown>, message: string) => {
  expect(message).toMatch(/^[a-zA-Z]+: \S/);
  return refusal(promise, 'invalid', 400, message);
};

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const CONTACT_KEYS = ['avatar', 'blocked', 'email', 'id', 'lastActivity', 'name', 'request', 'unread'];
const MESSAGE_KEYS = ['date', 'id', 'message', 'recipient', 'sender', 'them'];

/** expectContactShape checks the fields every contact carries, and that no others appear. */
function expectContactShape(c: Contact): void {
  const optional = ['lastMessage', 'report'].filter((k) => k in c);
  expect(Object.keys(c).sort()).toEqual([...CONTACT_KEYS, ...optional].sort());
  expect(c.id).toMatch(ID);
  expect(c.lastActivity).toMatch(ISO_MS);
  expect(c.avatar).toMatch(/^data:image\/svg\+xml;base64,/);
  // The in-memory adapter draws it with core's recipe: against the server, this holds the two together.
  expect(c.avatar).toBe(avatar(c.name, c.email));
  if (c.lastMessage) expectMessageShape(c.lastMessage, false);
}

/** expectMessageShape checks the fields of a message; status only where the reader sent it and mine says so. */
function expectMessageShape(m: Message, withStatus: boolean): void {
  const optional = ['clientId', ...(withStatus ? ['status'] : [])].filter((k) => k in m);
  expect(Object.keys(m).sort()).toEqual([...MESSAGE_KEYS, ...optional].sort());
  if (withStatus) expect(['sent', 'delivered', 'read']).toContain(m.status);
  expect(m.id).toMatch(ID);
  expect(m.date).toMatch(ISO_MS);
}

/** initialsOf reads the initials drawn in a contact's avatar. */
function initialsOf(avatar: string): string {
  const svg = new TextDecoder().decode(Uint8Array.from(atob(avatar.split(',')[1] ?? ''), (ch) => ch.charCodeAt(0)));
  return /<text[^>]*>([^<]*)<\/text>/.exec(svg)?.[1] ?? '';
}

/** Inbox records what a ChatAPI pushes, and waits for it. */
class Inbox {
  readonly events: ChatEvent[] = [];
  readonly stop: () => void;

  constructor(readonly api: ChatAPI) {
    this.stop = api.subscribe((e) => this.events.push(e));
  }

  /** of is every pushed event of type, in order. */
  of<T extends ChatEvent['type']>(type: T): Extract<ChatEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<ChatEvent, { type: T }> => e.type === type);
  }

  /** until waits, at most ms, for pick to find something among the events; fails naming what. */
  async until<T>(what: string, pick: () => T | undefined, ms = PUSH_WAIT_MS): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = pick();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms; got ${JSON.stringify(this.events)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * settle returns once every event pushed to this connection before it was called has arrived: it adds a fresh
   * contact and waits for that contact's event, which the server pushes after them. A push can miss a connection
   * whose handshake the server has not finished, so it tries again, a bounded number of times.
   */
  async settle(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const email = fresh('barrier');
      await this.api.addContact({ email, name: 'Barrier' });
      try {
        await this.until(`contact event for ${email}`, () => this.of('contact').find((e) => e.contact.email === email), 2000);
        return;
      } catch {
        // A push lost to a connection still opening: the next one reaches it.
      }
    }
    throw new Error('the connection never received its own contact events');
  }

  /** ready waits for the connection to open and to receive pushes. */
  async ready(): Promise<this> {
    await this.until('open connection', () => (this.api.connection === 'open' ? true : undefined));
    await this.settle();
    return this;
  }
}

/** chatAPIContract registers the contract's tests for the adapter that start builds. */
export function chatAPIContract(adapter: string, start: () => Backend | Promise<Backend>): void {
  describe(`ChatAPI contract: ${adapter}`, { timeout: 30_000 }, () => {
    let backend: Backend;
    const inboxes: Inbox[] = [];
    beforeEach(async () => {
      backend = await start();
    });
    afterEach(async () => {
      for (const inbox of inboxes.splice(0)) inbox.stop();
      await backend.close();
    });

    const person = async (label: string) => {
      const email = fresh(label);
      return { email, api: await backend.signIn(email) };
    };
    /** pair signs in two people who added each other. */
    const pair = async () => {
      const [a, b] = [await person('alice'), await person('bob')];
      await a.api.addContact({ email: b.email, name: 'Bob' });
      await b.api.addContact({ email: a.email, name: 'Alice' });
      return [a, b] as const;
    };
    const listen = (api: ChatAPI) => {
      const inbox = new Inbox(api);
      inboxes.push(inbox);
      return inbox.ready();
    };
    const send = (from: ChatAPI, to: string, message: string, clientId?: string) =>
      from.addMessage({ recipientNamespace: to, message, ...(clientId ? { clientId } : {}) });
    const contactOf = async (api: ChatAPI, email: string) => {
      const found = (await api.getContacts()).find((c) => c.email === email);
      if (!found) throw new Error(`${email} is not among the contacts`);
      return found;
    };

    describe('contacts', () => {
      it('adds a contact with the address trimmed and lower-cased and the name trimmed, in the API’s shape', async () => {
        const alice = await person('alice');
        const bob = fresh('bob');
        expect(alice.api.me).toBe(alice.email);
        const added = await alice.api.addContact({ email: `  ${bob.toUpperCase()} `, name: '  Bob Stone  ' });
        expectContactShape(added);
        expect(added).toMatchObject({ email: bob, name: 'Bob Stone', blocked: false, request: false, unread: 0 });
        expect(added).not.toHaveProperty('lastMessage');
        expect(initialsOf(added.avatar)).toBe('BS');
        expect(await alice.api.getContacts()).toEqual([added]);
      });

      it('returns the existing contact when the address is added again', async () => {
        const alice = await person('alice');
        const bob = fresh('bob');
        const first = await alice.api.addContact({ email: bob, name: 'Bob' });
        const again = await alice.api.addContact({ email: bob.toUpperCase(), name: 'Robert' });
        expect(again).toEqual(first);
        expect((await alice.api.getContacts()).filter((c) => c.email === bob)).toEqual([first]);
      });

      it('refuses adding yourself and names what is wrong with a bad address or name', async () => {
        const alice = await person('alice');
        await invalid(alice.api.addContact({ email: ` ${alice.email.toUpperCase()}`, name: 'Me' }), 'email: is your own address; you cannot add yourself');
        const domain = 'email: is not a valid email address: the domain must be labels of letters, digits and inner hyphens, separated by dots';
        for (const [email, message] of [
          ['', 'email: is required'],
          ['not-an-address', 'email: must hold exactly one @'],
          ['two@@example.com', 'email: must hold exactly one @'],
          ['bob@localhost', domain],
          ['bob@example.123', domain],
          ['.bob@example.com', "email: is not a valid email address: the part before @ must be 1 to 64 letters, digits, dots (not first, last or doubled) or !#$%&'*+-/=?^_`{|}~"],
          ['bö@example.com', 'email: must be plain ASCII without spaces or control characters (write an international domain in its xn-- form)'],
          [`${'a'.repeat(250)}@example.com`, 'email: must be at most 254 bytes'],
        ] as const) {
          await invalid(alice.api.addContact({ email, name: 'Bob' }), message);
        }
        const bob = fresh('bob');
        for (const [name, message] of [
          ['', 'name: is required'],
          ['   ', 'name: is required'],
          ['x'.repeat(101), 'name: must be at most 100 characters'],
          ['Bob\u0007', 'name: must not contain control characters'],
          ['Bob\nStone', 'name: must not contain control characters'],
          ['\u200b\u200d', 'name: must contain a visible character, not only spaces or invisible ones'],
          ['Bob\u202egpj.exe', 'name: must not contain bidirectional override or isolate characters (U+202A-U+202E, U+2066-U+2069)'],
        ] as const) {
          await invalid(alice.api.addContact({ email: bob, name }), message);
        }
        const long = await alice.api.addContact({ email: bob, name: ` ${'é'.repeat(100)} ` });
        expect(long.name).toBe('é'.repeat(100));
        expect((await alice.api.getContacts()).map((c) => c.email)).toEqual([bob]);
      });

      it('lists contacts most recent activity first', async () => {
        const [alice, bob] = await pair();
        const carol = fresh('carol');
        await alice.api.addContact({ email: carol, name: 'Carol' });
        await alice.api.addContact({ email: fresh('dan'), name: 'Dan' });
        const m = await send(alice.api, bob.email, 'latest');
        const list = await alice.api.getContacts();
        expect(list).toHaveLength(3);
        for (const c of list) expectContactShape(c);
        for (let i = 1; i < list.length; i++) {
          const [before, after] = [list[i - 1]!, list[i]!];
          const order = before.lastActivity > after.lastActivity || (before.lastActivity === after.lastActivity && before.email < after.email);
          expect(order, `${before.email} (${before.lastActivity}) before ${after.email} (${after.lastActivity})`).toBe(true);
        }
        expect(list.find((c) => c.email === bob.email)?.lastActivity).toBe(m.date);
      });
    });

    describe('block, unblock, report', () => {
      it('blocks someone who is not a contact yet by adding them, blocked, and unblocks them', async () => {
        const alice = await person('alice');
        const stranger = fresh('stranger');
        const blocked = await alice.api.blockContact(` ${stranger.toUpperCase()} `);
        expectContactShape(blocked);
        expect(blocked).toMatchObject({ email: stranger, name: local(stranger), blocked: true, request: false, unread: 0 });
        expect(await alice.api.getContacts()).toEqual([blocked]);
        const unblocked = await alice.api.unblockContact(stranger);
        expect(unblocked).toEqual({ ...blocked, blocked: false });
        // Adding them now finds them a contact already.
        expect(await alice.api.addContact({ email: stranger, name: 'Stranger' })).toEqual(unblocked);
      });

      it('blocks and unblocks a contact, keeping it', async () => {
        const [alice, bob] = await pair();
        const contact = await contactOf(alice.api, bob.email);
        expect(await alice.api.blockContact(bob.email)).toEqual({ ...contact, blocked: true });
        expect(await alice.api.blockContact(bob.email)).toEqual({ ...contact, blocked: true });
        expect(await alice.api.unblockContact(bob.email)).toEqual(contact);
      });

      it('refuses to unblock or report someone who is not a contact, and your own or a bad address', async () => {
        const alice = await person('alice');
        const stranger = fresh('stranger');
        await refusal(alice.api.unblockContact(stranger), 'not_found', 404, `${stranger} is not one of your contacts.`);
        await refusal(alice.api.reportContact(stranger, 'spam'), 'not_found', 404, `${stranger} is not one of your contacts.`);
        for (const call of [
          () => alice.api.blockContact(alice.email),
          () => alice.api.unblockContact(alice.email),
          () => alice.api.reportContact(alice.email, 'me'),
        ]) {
          await invalid(call(), 'email: is your own address');
        }
        await invalid(alice.api.blockContact('nobody'), 'email: must hold exactly one @');
        expect(await alice.api.getContacts()).toEqual([]);
      });

      it('keeps a trimmed report on the contact and names a bad one', async () => {
        const [alice, bob] = await pair();
        const reported = await alice.api.reportContact(bob.email, '  sends spam\nevery day  ');
        expectContactShape(reported);
        expect(reported).toMatchObject({ email: bob.email, report: 'sends spam\nevery day', blocked: false });
        expect(await contactOf(alice.api, bob.email)).toEqual(reported);
        for (const [report, message] of [
          ['', 'report: is required'],
          [' \n ', 'report: is required'],
          ['x'.repeat(1001), 'report: must be at most 1000 characters'],
          ['bell\u0007', 'report: must not contain control characters'],
        ] as const) {
          await invalid(alice.api.reportContact(bob.email, report), message);
        }
        expect((await alice.api.reportContact(bob.email, 'y'.repeat(1000))).report).toBe('y'.repeat(1000));
      });
    });

    describe('messages', () => {
      it('stores a trimmed message and answers with it as its sender sees it; the recipient reads it as theirs', async () => {
        const [alice, bob] = await pair();
        const sent = await send(alice.api, bob.email, '  hello\n\tthere  ', 'c-1');
        expectMessageShape(sent, true);
        expect(sent).toMatchObject({ message: 'hello\n\tthere', sender: alice.email, recipient: bob.email, them: false, status: 'sent', clientId: 'c-1' });
        const [theirs] = await bob.api.getMessages({ recipientNamespace: alice.email });
        expectMessageShape(theirs!, false);
        const { status: _status, ...rest } = sent;
        expect(theirs).toEqual({ ...rest, them: true });
        const [mine] = await alice.api.getMessages({ recipientNamespace: bob.email });
        expect(mine).toEqual(sent);
        const next = await send(alice.api, ` ${bob.email.toUpperCase()}`, 'again');
        expect(next.id > sent.id).toBe(true);
        expect(next).not.toHaveProperty('clientId');
      });

      it('stores one message per clientId, sender and recipient', async () => {
        const [alice, bob] = await pair();
        const carol = await person('carol');
        await alice.api.addContact({ email: carol.email, name: 'Carol' });
        const first = await send(alice.api, bob.email, 'once', 'k1');
        expect(await send(alice.api, bob.email, 'once', 'k1')).toEqual(first);
        expect(await send(alice.api, bob.email, 'edited text', 'k1')).toEqual(first);
        // The same key to another recipient, or from the other member, is another message.
        const toCarol = await send(alice.api, carol.email, 'once', 'k1');
        const fromBob = await send(bob.api, alice.email, 'once', 'k1');
        expect(new Set([first.id, toCarol.id, fromBob.id]).size).toBe(3);
        expect((await alice.api.getMessages({ recipientNamespace: bob.email })).map((m) => m.id)).toEqual([first.id, fromBob.id]);
        expect((await carol.api.getMessages({ recipientNamespace: alice.email })).map((m) => m.id)).toEqual([toCarol.id]);
        for (const clientId of ['has space', 'x'.repeat(65), 'é']) {
          await invalid(send(alice.api, bob.email, 'hi', clientId), "clientId: must be 1 to 64 letters, digits, '-' or '_'");
        }
      });

      it('refuses an empty, too long or control-character message, naming it; 4000 characters pass', async () => {
        const [alice, bob] = await pair();
        for (const [message, refused] of [
          ['', 'message: is required'],
          ['  \n\t ', 'message: is required'],
          ['\u200b', 'message: must contain a visible character, not only spaces or invisible ones'],
          ['x'.repeat(4001), 'message: must be at most 4000 characters'],
          ['bell\u0007', 'message: must not contain control characters'],
        ] as const) {
          await invalid(send(alice.api, bob.email, message), refused);
        }
        expect((await send(alice.api, bob.email, ` ${'😀'.repeat(4000)} `)).message).toBe('😀'.repeat(4000));
        expect(await bob.api.getMessages({ recipientNamespace: alice.email })).toHaveLength(1);
      });

      it('sends only to a contact: a stranger is not_found, yourself or a bad address invalid', async () => {
        const alice = await person('alice');
        const stranger = fresh('stranger');
        await refusal(send(alice.api, stranger, 'hi'), 'not_found', 404, `${stranger} is not one of your contacts.`);
        await invalid(send(alice.api, alice.email, 'hi'), 'recipientNamespace: is your own address');
        await invalid(send(alice.api, 'nobody', 'hi'), 'recipientNamespace: must hold exactly one @');
      });

      it('refuses messages across a block, both ways, with the server’s words, until it is lifted', async () => {
        const [alice, bob] = await pair();
        await alice.api.blockContact(bob.email);
        await refusal(send(alice.api, bob.email, 'hi'), 'blocked', 403, `You blocked ${bob.email}. Unblock them to send messages.`);
        await refusal(send(bob.api, alice.email, 'hi'), 'blocked', 403, `${alice.email} does not accept your messages.`);
        await alice.api.unblockContact(bob.email);
        await send(bob.api, alice.email, 'hi again');
        expect((await alice.api.getMessages({ recipientNamespace: bob.email })).map((m) => m.message)).toEqual(['hi again']);
      });

      it('shows the latest message on both contacts, cut to 140 characters, and counts the recipient’s unread', async () => {
        const [alice, bob] = await pair();
        const text = 'a'.repeat(139) + 'ü' + 'b'.repeat(60);
        const sent = await send(alice.api, bob.email, text, 'long-1');
        const { status: _status, ...plain } = sent;
        const mine = await contactOf(alice.api, bob.email);
        expect(mine).toMatchObject({ lastActivity: sent.date, unread: 0, lastMessage: { ...plain, message: text.slice(0, 140) } });
        expect(mine.lastMessage).not.toHaveProperty('status');
        const theirs = await contactOf(bob.api, alice.email);
        expect(theirs).toMatchObject({ lastActivity: sent.date, unread: 1, lastMessage: { ...plain, them: true, message: text.slice(0, 140) } });
        await send(alice.api, bob.email, 'two');
        expect((await contactOf(bob.api, alice.email)).unread).toBe(2);
      });

      it('unsends a message of the sender’s for both, in place and without its text, once; anyone else gets not_found', async () => {
        const [alice, bob] = await pair();
        const first = await send(alice.api, bob.email, 'to the wrong person');
        const second = await send(alice.api, bob.email, 'and another');
        const notYours = `id: is not a message you sent in this conversation`;
        await refusal(bob.api.deleteMessage({ recipientNamespace: alice.email, id: second.id }), 'not_found', 404, notYours);
        await invalid(alice.api.deleteMessage({ recipientNamespace: bob.email, id: 'not an id' }), 'id: is not a message ID');
        const b = await listen(bob.api);
        const { status: _status, ...plain } = second;
        const erased = await alice.api.deleteMessage({ recipientNamespace: bob.email, id: second.id });
        expect(erased).toEqual({ ...plain, message: '', deleted: true });
        expect(await alice.api.deleteMessage({ recipientNamespace: bob.email, id: second.id })).toEqual(erased);
        const pushed = await b.until('the erased message', () => b.of('message')[0]);
        expect(pushed.message).toEqual({ ...erased, them: true });
        const page = await bob.api.getMessages({ recipientNamespace: alice.email });
        expect(page.map((m) => [m.id, m.message, m.deleted ?? false])).toEqual([
          [first.id, 'to the wrong person', false],
          [second.id, '', true],
        ]);
        const theirs = await contactOf(bob.api, alice.email);
        expect(theirs).toMatchObject({ unread: 1, lastMessage: { id: second.id, message: '', deleted: true } });
      });

      it('refuses sends past the budget with throttled and when to try again; that send goes through then', async () => {
        // The server's defaults (PARLEY_SEND_BURST 30, PARLEY_SEND_PER_MINUTE 60): a burst of 30, then one a second.
        const [alice, bob] = await pair();
        let sent = 0;
        let refused: unknown;
        let first: Message | undefined;
        for (let i = 0; i < 60 && refused === undefined; i++) {
          try {
            const stored = await alice.api.addMessage({ recipientNamespace: bob.email, message: `burst ${i}`, clientId: `burst-${i}` });
            first ??= stored;
            sent += 1;
          } catch (err) {
            refused = err;
          }
        }
        expect(sent).toBeGreaterThanOrEqual(30);
        expect(refused).toBeInstanceOf(ApiError);
        const { code, status, retryAfterMs } = refused as ApiError;
        expect({ code, status }).toEqual({ code: 'throttled', status: 429 });
        expect(retryAfterMs).toBeGreaterThan(0);
        expect(retryAfterMs).toBeLessThanOrEqual(1000);
        expect(await bob.api.getMessages({ recipientNamespace: alice.email, limit: 100 })).toHaveLength(sent);
        // A retry of a stored message costs nothing: it is answered with that message even over budget.
        const retried = await alice.api.addMessage({ recipientNamespace: bob.email, message: 'burst 0', clientId: 'burst-0' });
        expect(retried.id).toBe(first?.id);
        const stillRefused = await alice.api
          .addMessage({ recipientNamespace: bob.email, message: 'one more', clientId: 'one-more' })
          .catch((e: unknown) => e);
        expect(stillRefused).toMatchObject({ code: 'throttled' });

        await new Promise((resolve) => setTimeout(resolve, retryAfterMs));
        const again = await alice.api.addMessage({ recipientNamespace: bob.email, message: `burst ${sent}`, clientId: `burst-${sent}` });
        expect(again.message).toBe(`burst ${sent}`);
      });
    });

    describe('requests', () => {
      it('makes a stranger’s first message a request the recipient can read, add or block', async () => {
        const alice = await person('alice');
        const carol = await person('carol');
        await carol.api.addContact({ email: alice.email, name: 'Alice' });
        const hello = await send(carol.api, alice.email, 'hello?');
        await send(carol.api, alice.email, 'anyone?');
        const request = await contactOf(alice.api, carol.email);
        expectContactShape(request);
        expect(request).toMatchObject({ email: carol.email, name: local(carol.email), request: true, blocked: false, unread: 2 });
        expect(request.lastMessage).toMatchObject({ message: 'anyone?', them: true, sender: carol.email });
        expect((await alice.api.getMessages({ recipientNamespace: carol.email })).map((m) => m.message)).toEqual(['hello?', 'anyone?']);
        // Adding a request keeps the contact, names it and makes it a contact like any other.
        const added = await alice.api.addContact({ email: carol.email, name: 'Carol' });
        expect(added).toEqual({ ...request, name: 'Carol', request: false, avatar: added.avatar });
        expect(initialsOf(added.avatar)).toBe('C');
        await send(alice.api, carol.email, 'hi Carol');
        await alice.api.ack({ recipientNamespace: carol.email, upTo: hello.id, read: true });
        expect((await contactOf(alice.api, carol.email)).unread).toBe(1);
      });

      it('lets the recipient block or report a request', async () => {
        const alice = await person('alice');
        const carol = await person('carol');
        await carol.api.addContact({ email: alice.email, name: 'Alice' });
        await send(carol.api, alice.email, 'buy now');
        expect(await alice.api.reportContact(carol.email, 'spam')).toMatchObject({ request: true, report: 'spam' });
        expect(await alice.api.blockContact(carol.email)).toMatchObject({ request: true, blocked: true, report: 'spam' });
        await refusal(send(carol.api, alice.email, 'buy now!'), 'blocked', 403, `${alice.email} does not accept your messages.`);
      });
    });

    describe('paging', () => {
      it('pages the newest before a message, the oldest after one, by limit', async () => {
        const [alice, bob] = await pair();
        const sent: Message[] = [];
        for (let i = 0; i < 7; i++) sent.push(await send(i % 2 ? bob.api : alice.api, i % 2 ? alice.email : bob.email, `m${i}`));
        const text = (page: Message[]) => page.map((m) => m.message);
        const all = await alice.api.getMessages({ recipientNamespace: bob.email });
        expect(text(all)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
        expect(all.map((m) => m.them)).toEqual([false, true, false, true, false, true, false]);
        for (let i = 1; i < all.length; i++) expect(all[i]!.id > all[i - 1]!.id).toBe(true);
        const q = { recipientNamespace: bob.email };
        expect(text(await alice.api.getMessages({ ...q, limit: 3 }))).toEqual(['m4', 'm5', 'm6']);
        expect(text(await alice.api.getMessages({ ...q, limit: 3, before: sent[4]!.id }))).toEqual(['m1', 'm2', 'm3']);
        expect(text(await alice.api.getMessages({ ...q, limit: 3, before: sent[1]!.id }))).toEqual(['m0']);
        expect(text(await alice.api.getMessages({ ...q, limit: 3, after: sent[1]!.id }))).toEqual(['m2', 'm3', 'm4']);
        expect(text(await alice.api.getMessages({ ...q, after: sent[6]!.id }))).toEqual([]);
        expect(text(await alice.api.getMessages({ ...q, limit: 100 }))).toHaveLength(7);
        // The ID of one of the reader's contacts names the conversation too.
        const bobContact = await contactOf(alice.api, bob.email);
        expect(await alice.api.getMessages({ recipientNamespace: bobContact.id })).toEqual(all);
      });

      it('names a bad limit, cursor or conversation', async () => {
        const [alice, bob] = await pair();
        const m = await send(alice.api, bob.email, 'one');
        const q = { recipientNamespace: bob.email };
        await invalid(alice.api.getMessages({ ...q, before: m.id, after: m.id }), 'after: cannot be combined with before; page one way at a time');
        for (const limit of [0, -1, 2.5]) await invalid(alice.api.getMessages({ ...q, limit }), 'limit: must be a whole number between 1 and 100');
        await invalid(alice.api.getMessages({ ...q, limit: 101 }), 'limit: must be between 1 and 100');
        await invalid(alice.api.getMessages({ ...q, before: 'not an id!' }), 'before: is not a message ID');
        await invalid(alice.api.getMessages({ ...q, after: 'not an id!' }), 'after: is not a message ID');
        await invalid(alice.api.getMessages({ recipientNamespace: alice.email }), 'recipientNamespace: is your own address');
        await invalid(alice.api.getMessages({ recipientNamespace: '' }), 'recipientNamespace: is required');
        await refusal(alice.api.getMessages({ recipientNamespace: 'NoSuchContactID' }), 'not_found', 404, 'No contact of yours has the ID NoSuchContactID.');
        // Anyone may read a conversation that is empty.
        expect(await alice.api.getMessages({ recipientNamespace: fresh('stranger') })).toEqual([]);
      });
    });

    describe('ack', () => {
      it('moves watermarks only forward, recounts unread on read, and gives the sender’s messages their status', async () => {
        const [alice, bob] = await pair();
        const m1 = await send(alice.api, bob.email, 'one');
        const m2 = await send(alice.api, bob.email, 'two');
        const q = { recipientNamespace: alice.email };
        const statuses = async () => (await alice.api.getMessages({ recipientNamespace: bob.email })).map((m) => m.status);
        expect(await statuses()).toEqual(['sent', 'sent']);
        expect((await contactOf(bob.api, alice.email)).unread).toBe(2);

        expect(await bob.api.ack({ ...q, upTo: m2.id })).toEqual({ delivered: m2.id, read: '' });
        expect(await statuses()).toEqual(['delivered', 'delivered']);
        expect((await contactOf(bob.api, alice.email)).unread).toBe(2);

        expect(await bob.api.ack({ ...q, upTo: m1.id, read: true })).toEqual({ delivered: m2.id, read: m1.id });
        expect(await statuses()).toEqual(['read', 'delivered']);
        expect((await contactOf(bob.api, alice.email)).unread).toBe(1);

        expect(await bob.api.ack({ ...q, upTo: m1.id })).toEqual({ delivered: m2.id, read: m1.id });
        expect(await bob.api.ack({ ...q, upTo: m2.id, read: true })).toEqual({ delivered: m2.id, read: m2.id });
        expect(await statuses()).toEqual(['read', 'read']);
        expect((await contactOf(bob.api, alice.email)).unread).toBe(0);
        // Status is on one's own messages only.
        expect((await bob.api.getMessages(q)).some((m) => 'status' in m)).toBe(false);
      });

      it('refuses a message of another conversation, a bad ID and your own address', async () => {
        const [alice, bob] = await pair();
        const carol = await person('carol');
        await alice.api.addContact({ email: carol.email, name: 'Carol' });
        const toCarol = await send(alice.api, carol.email, 'not yours');
        await send(alice.api, bob.email, 'yours');
        await refusal(bob.api.ack({ recipientNamespace: alice.email, upTo: toCarol.id }), 'not_found', 404, 'upTo: is not a message of this conversation');
        await invalid(bob.api.ack({ recipientNamespace: alice.email, upTo: 'bad id!' }), 'upTo: is not a message ID');
        await invalid(bob.api.ack({ recipientNamespace: bob.email, upTo: toCarol.id }), 'recipientNamespace: is your own address');
      });
    });

    describe('account', () => {
      it('exports everything of the caller as one JSON document at a link that needs no token', async () => {
        const [alice, bob] = await pair();
        const sent = await send(alice.api, bob.email, 'in the export');
        await send(bob.api, alice.email, 'mine too');
        const link = await alice.api.exportAccount();
        expect(Date.parse(link.expires)).toBeGreaterThan(Date.now());
        const response = await fetch(link.url);
        expect(response.ok).toBe(true);
        const doc = (await response.json()) as {
          account: { email: string };
          contacts: { email: string }[];
          conversations: { with: string; messages: { id: string; message: string; sender: string; status?: string }[] }[];
          reports: unknown[];
          channels: unknown[];
          devices: unknown[];
        };
        expect(Object.keys(doc)).toEqual(expect.arrayContaining(['account', 'contacts', 'conversations', 'reports', 'channels', 'devices']));
        expect(doc.account.email).toBe(alice.email);
        expect(doc.contacts.map((c) => c.email)).toEqual([bob.email]);
        expect(doc.conversations).toHaveLength(1);
        expect(doc.conversations[0]?.with).toBe(bob.email);
        expect(doc.conversations[0]?.messages.map((m) => [m.message, m.sender])).toEqual([
          ['in the export', alice.email],
          ['mine too', bob.email],
        ]);
        expect(doc.conversations[0]?.messages[0]).toMatchObject({ id: sent.id, status: 'sent' });
        expect([doc.reports, doc.channels, doc.devices]).toEqual([[], [], []]);
      });

      it('deletes an account once confirmed: the other side sees it end, old sessions are refused, the address starts empty', async () => {
        const [alice, bob] = await pair();
        await send(alice.api, bob.email, 'from alice');
        await send(bob.api, alice.email, 'from bob');
        await invalid(alice.api.deleteAccount(bob.email), `confirm: must be your own email address, ${alice.email}`);
        await expect(alice.api.deleteAccount(alice.email.toUpperCase())).resolves.toBeUndefined();

        await refusal(alice.api.getContacts(), 'unauthorized', 401, 'This account was deleted. Sign in again.');
        const theirs = await contactOf(bob.api, alice.email);
        expect(theirs).toMatchObject({ deleted: true, unread: 0 });
        expect(theirs).not.toHaveProperty('lastMessage');
        expect(await bob.api.getMessages({ recipientNamespace: alice.email })).toEqual([]);
        await refusal(send(bob.api, alice.email, 'still there?'), 'not_found', 404, `${alice.email} deleted their account.`);

        const again = await backend.signIn(alice.email);
        expect(await again.getContacts()).toEqual([]);
        expect(await again.getMessages({ recipientNamespace: bob.email })).toEqual([]);
      });
    });

    describe('channels', () => {
      /** channelName is a channel name no test has used, in this run or before. */
      const channelName = () => {
        serial += 1;
        return `ch-${run}-${serial}`;
      };

      it('creates a channel in the API’s shape, and refuses a name that is taken or malformed', async () => {
        const host = await person('host');
        const name = channelName();
        const channel = await host.api.channels.createChannel({ channel: name, title: '  Grand Finals  ' });
        expect(Object.keys(channel).sort()).toEqual(['channel', 'createdAt', 'feed', 'owner', 'title']);
        expect(channel).toMatchObject({ channel: name, title: 'Grand Finals', owner: host.email, feed: `/feeds/${name}.json` });
        expect(channel.createdAt).toMatch(ISO_MS);
        const other = await person('other');
        await refusal(other.api.channels.createChannel({ channel: name, title: 'Mine' }), 'conflict', 409, `The channel name ${name} is taken.`);
        await invalid(host.api.channels.createChannel({ channel: 'No Spaces', title: 'x' }), "channel: must be 3 to 40 of a-z, 0-9 and '-'");
      });

      it('lets the owner and the publishers they name post under their public names, once per clientId', async () => {
        const host = await person('host');
        const caster = await person('caster');
        const name = channelName();
        await host.api.channels.createChannel({ channel: name, title: 'Finals', name: 'Host' });
        const publisher = await host.api.channels.addPublisher({ channel: name, email: ` ${caster.email.toUpperCase()} `, name: 'Caster' });
        expect(Object.keys(publisher).sort()).toEqual(['addedAt', 'channel', 'email', 'name']);
        expect(publisher).toMatchObject({ channel: name, email: caster.email, name: 'Caster' });

        const first = await host.api.channels.postToChannel({ channel: name, message: ' Game one begins ', clientId: 'c-1' });
        expect(Object.keys(first).sort()).toEqual(['author', 'channel', 'clientId', 'date', 'id', 'message']);
        expect(first).toMatchObject({ channel: name, author: 'Host', message: 'Game one begins', clientId: 'c-1' });
        expect(first.id).toMatch(ID);
        expect(first.date).toMatch(ISO_MS);
        expect(await host.api.channels.postToChannel({ channel: name, message: 'Game one begins', clientId: 'c-1' })).toEqual(first);

        const second = await caster.api.channels.postToChannel({ channel: name, message: 'What a start' });
        expect(second).toMatchObject({ author: 'Caster', message: 'What a start' });
        expect(second).not.toHaveProperty('clientId');
        expect(second.id > first.id).toBe(true);
      });

      it('keeps the owner’s tools to the owner and posting to publishers', async () => {
        const host = await person('host');
        const stranger = await person('stranger');
        const name = channelName();
        await host.api.channels.createChannel({ channel: name, title: 'Finals' });
        const post = await host.api.channels.postToChannel({ channel: name, message: 'Hello' });
        const onlyOwner = `Only the owner of ${name} may do this.`;
        await refusal(stranger.api.channels.addPublisher({ channel: name, email: stranger.email, name: 'Me' }), 'forbidden', 403, onlyOwner);
        await refusal(stranger.api.channels.deletePost({ channel: name, id: post.id }), 'forbidden', 403, onlyOwner);
        await refusal(stranger.api.channels.postToChannel({ channel: name, message: 'Hi' }), 'forbidden', 403, `You are not a publisher of ${name}.`);
        const missing = channelName();
        await refusal(stranger.api.channels.postToChannel({ channel: missing, message: 'Hi' }), 'not_found', 404, `There is no channel ${missing}.`);
      });

      it('deletes a post for its owner, and says when there is no such post', async () => {
        const host = await person('host');
        const name = channelName();
        await host.api.channels.createChannel({ channel: name, title: 'Finals' });
        const post = await host.api.channels.postToChannel({ channel: name, message: 'Oops' });
        await expect(host.api.channels.deletePost({ channel: name, id: post.id })).resolves.toBeUndefined();
        await refusal(host.api.channels.deletePost({ channel: name, id: post.id }), 'not_found', 404, `There is no post ${post.id} in ${name}.`);
      });
    });

    describe('push', () => {
      it('pushes a stored message to every connection of both members, as each sees it, and a retry to none', async () => {
        const [alice, bob] = await pair();
        const [a, b] = [await listen(alice.api), await listen(bob.api)];
        const bobsOtherDevice = await listen(await backend.signIn(bob.email));
        const carol = await listen((await person('carol')).api);
        const sent = await send(alice.api, bob.email, 'pushed', 'p-1');
        const { status: _status, ...plain } = sent;
        const mine = await a.until('message to the sender', () => a.of('message')[0]);
        expect(mine.message).toEqual(sent);
        for (const inbox of [b, bobsOtherDevice]) {
          const theirs = await inbox.until('message to the recipient', () => inbox.of('message')[0]);
          expect(theirs.message).toEqual({ ...plain, them: true });
        }
        await send(alice.api, bob.email, 'pushed', 'p-1');
        for (const inbox of [a, b, carol]) await inbox.settle();
        expect([a, b, carol].map((inbox) => inbox.of('message').length)).toEqual([1, 1, 0]);
      });

      it('pushes receipts to the sender and the recounted contact to the reader', async () => {
        const [alice, bob] = await pair();
        const m = await send(alice.api, bob.email, 'read me');
        const [a, b] = [await listen(alice.api), await listen(bob.api)];
        await bob.api.ack({ recipientNamespace: alice.email, upTo: m.id });
        expect(await a.until('delivered receipt', () => a.of('receipt')[0])).toEqual({ type: 'receipt', with: bob.email, delivered: m.id, read: '' });
        await bob.api.ack({ recipientNamespace: alice.email, upTo: m.id, read: true });
        expect(await a.until('read receipt', () => a.of('receipt')[1])).toEqual({ type: 'receipt', with: bob.email, delivered: m.id, read: m.id });
        const recount = await b.until('recounted contact', () => b.of('contact').find((e) => e.contact.email === alice.email));
        expect(recount.contact).toEqual(await contactOf(bob.api, alice.email));
        expect(recount.contact.unread).toBe(0);
        // An ack that moves nothing pushes nothing.
        await bob.api.ack({ recipientNamespace: alice.email, upTo: m.id, read: true });
        await a.settle();
        expect(a.of('receipt')).toHaveLength(2);
      });

      it('pushes a request to the recipient of a stranger’s first message only', async () => {
        const alice = await person('alice');
        const carol = await person('carol');
        await carol.api.addContact({ email: alice.email, name: 'Alice' });
        const a = await listen(alice.api);
        await send(carol.api, alice.email, 'hello?');
        const pushed = await a.until('request', () => a.of('contact').find((e) => e.contact.email === carol.email));
        expectContactShape(pushed.contact);
        expect(pushed.contact).toMatchObject({ email: carol.email, request: true, unread: 1, lastMessage: { message: 'hello?', them: true } });
        await send(carol.api, alice.email, 'anyone?');
        await a.settle();
        expect(a.of('contact').filter((e) => e.contact.email === carol.email)).toHaveLength(1);
      });

      it('pushes what add, block and unblock leave to every connection of the caller', async () => {
        const alice = await person('alice');
        const [one, two] = [await listen(alice.api), await listen(await backend.signIn(alice.email))];
        const dan = fresh('dan');
        const added = await alice.api.addContact({ email: dan, name: 'Dan' });
        const blocked = await alice.api.blockContact(dan);
        const unblocked = await alice.api.unblockContact(dan);
        for (const inbox of [one, two]) {
          await inbox.until('three contact events', () => (inbox.of('contact').filter((e) => e.contact.email === dan).length >= 3 ? true : undefined));
          expect(inbox.of('contact').filter((e) => e.contact.email === dan).map((e) => e.contact)).toEqual([added, blocked, unblocked]);
        }
      });

      it('tells a member who added you that you are typing, and no one across a block', async () => {
        const [alice, bob] = await pair();
        const carol = await person('carol');
        await carol.api.addContact({ email: bob.email, name: 'Bob' });
        await bob.api.addContact({ email: carol.email, name: 'Carol' });
        const [a, b, c] = [await listen(alice.api), await listen(bob.api), await listen(carol.api)];
        bob.api.typing(alice.email);
        expect(await a.until('typing', () => a.of('typing')[0])).toEqual({ type: 'typing', from: bob.email });
        await alice.api.blockContact(bob.email);
        bob.api.typing(alice.email);
        // Bob's frames are handled in order: once Carol sees his next one, the one to Alice was handled.
        bob.api.typing(carol.email);
        await c.until('typing', () => c.of('typing')[0]);
        await a.settle();
        expect(a.of('typing')).toHaveLength(1);
        expect(b.of('typing')).toHaveLength(0);
      });
    });

    describe('notifications', () => {
      /** device is a browser's subscription: an endpoint of its own and keys of the right sizes. */
      const device = () => ({
        endpoint: `https://push.example.com/send/${fresh('device')}`,
        keys: { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) },
      });

      it('gives the VAPID public key to subscribe with: an uncompressed P-256 point, base64url', async () => {
        const alice = await person('alice');
        expect(await alice.api.notifications.pushKey()).toMatch(/^B[A-Za-z0-9_-]{86}$/);
      });

      it('stores a device once: 201, then 200 for the same endpoint; removing it, even twice, is fine', async () => {
        const alice = await person('alice');
        const phone = device();
        expect(await alice.api.notifications.addPushSubscription(phone)).toEqual({ created: true });
        expect(await alice.api.notifications.addPushSubscription({ ...phone, previews: false })).toEqual({ created: false });
        expect(await alice.api.notifications.addPushSubscription(device())).toEqual({ created: true });
        await alice.api.notifications.removePushSubscription(phone.endpoint);
        await alice.api.notifications.removePushSubscription(phone.endpoint);
        expect(await alice.api.notifications.addPushSubscription(phone)).toEqual({ created: true });
      });

      it('refuses an endpoint that is not https and keys of the wrong size, naming the field', async () => {
        const alice = await person('alice');
        const phone = device();
        await invalid(alice.api.notifications.addPushSubscription({ ...phone, endpoint: 'http://push.example.com/x' }), 'endpoint: must be an https URL');
        await refusal(
          alice.api.notifications.addPushSubscription({ ...phone, keys: { ...phone.keys, p256dh: 'BAAA' } }),
          'invalid',
          400,
          'keys.p256dh: must be 65 bytes, not 3',
        );
        await refusal(
          alice.api.notifications.addPushSubscription({ ...phone, keys: { ...phone.keys, auth: 'AAAA' } }),
          'invalid',
          400,
          'keys.auth: must be 16 bytes, not 3',
        );
        // Nothing was stored: the device is new.
        expect(await alice.api.notifications.addPushSubscription(phone)).toEqual({ created: true });
      });

      it('takes the visibility of a tab on its connection without an answer', async () => {
        const alice = await person('alice');
        const inbox = await listen(alice.api);
        alice.api.visibility(true);
        alice.api.visibility(false);
        await inbox.settle();
        expect(inbox.of('message')).toHaveLength(0);
      });
    });
  });
}

// Web Push in Chromium: Ben turns notifications on (the permission is asked only after his click; headless
// Chromium has no push service, so PushManager.subscribe is answered by the test with a subscription whose keys
// have the right sizes, and the server stores it); a push delivered to the service worker through the DevTools
// protocol (ServiceWorker.deliverPushMessage) shows one notification per conversation, the latest replacing the
// one before (its tag), an unsent push replaces it quietly without the unsent text, and a read push (read on
// another device) closes it; what a click runs opens that
// conversation in Ben's open tab. A test cannot click a system notification, nor give the service worker the user
// activation a click gives (clients.openWindow and focus need it), so the test calls the click's function in the
// real worker: the open tab is told, and opens the conversation.
// Signing out removes the device's subscription.
// Run through scripts/test-e2e.sh, which builds and starts everything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { ARGS, BASE_URL, CHROMIUM, addContact, signIn } from './people.mjs';

const STEP = 60_000;
const WAIT = 15_000;
const ENDPOINT = 'https://push.example.com/send/ben-laptop';

/** fakePushManager answers PushManager.subscribe as a push service would, in the page, before the app loads. */
function fakePushManager(endpoint) {
  const state = { subscription: null, key: null };
  const keys = { p256dh: `B${'A'.repeat(86)}`, auth: 'A'.repeat(22) };
  PushManager.prototype.getSubscription = async function () {
    return state.subscription;
  };
  PushManager.prototype.subscribe = async function (options) {
    state.key = new Uint8Array(options.applicationServerKey);
    window.__subscribedWith = btoa(String.fromCharCode(...state.key)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    state.subscription = {
      endpoint,
      options: { applicationServerKey: state.key.buffer, userVisibleOnly: true },
      toJSON: () => ({ endpoint, keys }),
      unsubscribe: async () => {
        state.subscription = null;
        return true;
      },
    };
    return state.subscription;
  };
  const ask = Notification.requestPermission.bind(Notification);
  window.__prompts = 0;
  Notification.requestPermission = (...args) => {
    window.__prompts += 1;
    return ask(...args);
  };
}

describe('Parley notifications', { timeout: 4 * 60_000 }, () => {
  let browser;
  let context;
  let page;
  let cdp;
  const registrations = [];
  const problems = [];

  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
    context = await browser.newContext({ viewport: { width: 1100, height: 720 }, locale: 'en-GB' });
    context.setDefaultTimeout(WAIT);
    await context.grantPermissions(['notifications'], { origin: new URL(BASE_URL).origin });
    await context.addInitScript(fakePushManager, ENDPOINT);
    page = await context.newPage();
    page.on('pageerror', (err) => problems.push(err.message));
    cdp = await context.newCDPSession(page);
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => registrations.push(...updated));
    await cdp.send('ServiceWorker.enable');
  });

  after(async () => {
    await browser?.close().catch(() => {});
  });

  it('Ben signs in, adds Ana, and turns notifications on: the prompt comes only with his click', { timeout: STEP }, async () => {
    const ana = await context.request.get(`${BASE_URL}/config.json`);
    assert.equal(ana.status(), 200);
    await signIn(page, 'ben@example.com');
    await addContact(page, 'ana@example.com', 'Ana');
    await page.keyboard.press('Escape');
    // The worker the app registered controls the page once it is ready.
    await page.evaluate(() => navigator.serviceWorker.ready);
    assert.equal(await page.evaluate(() => window.__prompts), 0, 'no prompt at load');

    const stored = page.waitForResponse((r) => new URL(r.url()).pathname === '/add-push-subscription');
    await page.getByRole('button', { name: 'Notify me' }).click();
    assert.equal((await stored).status(), 201);
    await page.getByRole('button', { name: 'Notifications on' }).waitFor();
    assert.equal(await page.evaluate(() => window.__prompts), 1);
    const key = await (await context.request.get(`${BASE_URL}/push-key`, { headers: { Authorization: await bearer(page) } })).json();
    assert.equal(await page.evaluate(() => window.__subscribedWith), key.publicKey, 'subscribed with the server’s VAPID key');
  });

  // deliver hands payload to the app's service worker as its push service would.
  const deliver = (payload) => {
    const registration = registrations.find((r) => r.scopeURL === `${new URL(BASE_URL).origin}/` && !r.isDeleted);
    assert.ok(registration, `the app's service worker is registered (${JSON.stringify(registrations)})`);
    return cdp.send('ServiceWorker.deliverPushMessage', { origin: new URL(BASE_URL).origin, registrationId: registration.registrationId, data: JSON.stringify(payload) });
  };

  it('a push delivered to the service worker shows one notification per conversation, the latest replacing it', { timeout: STEP }, async () => {
    await deliver({ type: 'message', with: 'ana@example.com', name: 'Ana', text: 'Are you there?', unread: 1, tag: 'conv:ana@example.com' });
    await deliver({ type: 'message', with: 'ana@example.com', name: 'Ana', text: 'Ben?', unread: 2, tag: 'conv:ana@example.com' });
    await deliver({ type: 'request', with: 'cara@example.com', name: 'cara', unread: 1, tag: 'conv:cara@example.com' });
    // deliverPushMessage answers once the worker has the push, not once its
    // notification is shown: wait until the last push of each conversation
    // shows, then check that it is all there is.
    const shown = await poll(() =>
      page.evaluate(async () => {
        const list = await (await navigator.serviceWorker.ready).getNotifications();
        const settled = list.some((n) => n.body.startsWith('Ben?')) && list.some((n) => n.tag === 'conv:cara@example.com');
        return settled ? list.map((n) => ({ title: n.title, body: n.body, tag: n.tag })) : undefined;
      }),
    );
    shown.sort((a, b) => a.tag.localeCompare(b.tag));
    assert.deepEqual(shown, [
      { title: 'Ana', body: 'Ben?\n(2 new messages)', tag: 'conv:ana@example.com' },
      { title: 'cara wants to message you', body: 'New message', tag: 'conv:cara@example.com' },
    ]);
  });

  it('what a click runs opens that conversation in Ben’s open tab, and the notification goes', { timeout: STEP }, async () => {
    const [worker] = context.serviceWorkers();
    assert.ok(worker, 'the service worker is reachable');
    await worker.evaluate(async () => {
      const [n] = await self.registration.getNotifications({ tag: 'conv:ana@example.com' });
      n.close();
      await self.parleyOpenConversation(n.data.with);
    });
    await page.getByRole('heading', { level: 2, name: 'Ana' }).waitFor();
    const left = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => n.tag));
    assert.deepEqual(left, ['conv:cara@example.com']);
  });

  it('an unsent push replaces the notification quietly, without the text its sender unsent', { timeout: STEP }, async () => {
    const caras = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications({ tag: 'conv:cara@example.com' })).map((n) => ({ body: n.body, silent: n.silent })),
      );
    await deliver({ type: 'message', with: 'cara@example.com', name: 'cara', text: 'my secret', unread: 2, tag: 'conv:cara@example.com' });
    await poll(async () => ((await caras()).some((n) => n.body.startsWith('my secret')) ? true : undefined));
    await deliver({ type: 'unsent', with: 'cara@example.com', name: 'cara', unread: 1, tag: 'conv:cara@example.com' });
    const shown = await poll(async () => {
      const list = await caras();
      return list.some((n) => n.body.startsWith('my secret')) ? undefined : list;
    });
    assert.deepEqual(shown, [{ body: 'New message', silent: true }]);
  });

  it('a read push (the conversation read on another device) closes its notification and shows none', { timeout: STEP }, async () => {
    await deliver({ type: 'read', with: 'cara@example.com', tag: 'conv:cara@example.com' });
    const left = await poll(() =>
      page.evaluate(async () => {
        const list = await (await navigator.serviceWorker.ready).getNotifications();
        return list.length === 0 ? list : undefined;
      }),
    );
    assert.deepEqual(left, []);
  });

  it('turning notifications off removes this device', { timeout: STEP }, async () => {
    const removed = page.waitForResponse((r) => new URL(r.url()).pathname === '/remove-push-subscription');
    await page.getByRole('button', { name: 'Notifications on' }).click();
    assert.equal((await removed).status(), 200);
    await page.getByRole('button', { name: 'Notify me' }).waitFor();
  });

  it('signing out removes this device’s subscription', { timeout: STEP }, async () => {
    const stored = page.waitForResponse((r) => new URL(r.url()).pathname === '/add-push-subscription');
    await page.getByRole('button', { name: 'Notify me' }).click();
    assert.equal((await stored).status(), 201);
    await page.getByRole('button', { name: 'Notifications on' }).waitFor();
    const removed = page.waitForResponse((r) => new URL(r.url()).pathname === '/remove-push-subscription');
    await page.getByRole('button', { name: 'Sign out' }).click();
    assert.equal((await removed).status(), 200);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.ready).pushManager.getSubscription()), null);
    assert.deepEqual(problems, []);
  });
});

/** bearer is the Authorization header of the page's session (the SPA keeps its ID token in sessionStorage). */
async function bearer(page) {
  const token = await page.evaluate(() => {
    for (let i = 0; i < sessionStorage.length; i += 1) {
      const key = sessionStorage.key(i);
      if (key?.startsWith('oidc.user:')) return JSON.parse(sessionStorage.getItem(key)).id_token;
    }
    return undefined;
  });
  assert.ok(token, 'the page holds an ID token');
  return `Bearer ${token}`;
}

/** poll calls fn until it returns something, for at most WAIT. */
async function poll(fn) {
  const until = Date.now() + WAIT;
  for (;;) {
    const got = await fn();
    if (got !== undefined) return got;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

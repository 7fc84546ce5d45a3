// Realtime end to end: Ana and Ben in two browser contexts of one Chromium, against the local server's
// /ws. A message arrives by push with polling switched off (the polling routes are cut at the network),
// ticks go delivered then read, an unread badge and the tab title come and go, typing shows, and what was
// sent while Ben's network was cut appears after it comes back, exactly once; Ben's own message written
// offline waits in the outbox and goes out by itself. Then Cara, a stranger, shows up as a request, Ben
// blocks her from the list, and her refused message is laid out at 360 px.
// Run through scripts/test-e2e.sh, which builds and starts everything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { expectAccessible } from './axe.mjs';
import { ARGS, CHROMIUM, addContact, bubble, open, send, sentToShown, shot, signIn, watchArrivals, watchSends } from './people.mjs';

const STEP = 60_000;
const WAIT = 15_000;
const POLLING = /^\/(get-messages|get-contacts)$/;
const isPolling = (url) => POLLING.test(new URL(url).pathname);

/** Settle is how long we watch for something that must NOT happen (a duplicate, a message through a cut network). */
const SETTLE_MS = 2000;

describe('Parley realtime', { timeout: 6 * 60_000 }, () => {
  let browser;
  const people = {};
  const problems = [];

  async function person(key, email, viewport = { width: 1100, height: 720 }) {
    const context = await browser.newContext({ viewport, locale: 'en-GB', serviceWorkers: 'block' });
    context.setDefaultTimeout(WAIT);
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`${email}: ${err.message}`));
    const polls = [];
    page.on('request', (r) => {
      if (isPolling(r.url())) polls.push(r.url());
    });
    people[key] = { email, context, page, polls };
    return people[key];
  }

  /** withoutPolling runs fn while the polling routes of p are cut, and returns how many were attempted. */
  async function withoutPolling(p, fn) {
    // With polling cut, only an open socket can bring news: wait until it is
    // (a busy machine may still be connecting it, or reconnecting).
    await p.page.locator('.shell[data-connection="open"]').waitFor();
    const cut = (url) => POLLING.test(url.pathname);
    await p.page.route(cut, (route) => route.abort('internetdisconnected'));
    const before = p.polls.length;
    try {
      await fn();
    } finally {
      await p.page.unroute(cut);
    }
    return p.polls.length - before;
  }

  before(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
  });

  after(async () => {
    await browser?.close().catch(() => {});
  });

  it('Ana and Ben sign in in two browser contexts and add each other', { timeout: STEP }, async () => {
    const ana = await person('ana', 'ana@example.com');
    const ben = await person('ben', 'ben@example.com');
    await signIn(ana.page, ana.email);
    await signIn(ben.page, ben.email);
    await addContact(ana.page, ben.email, 'Ben');
    await addContact(ben.page, ana.email, 'Ana');
    // Ben goes back to his list: Ana's conversation is not open on his side.
    await ben.page.keyboard.press('Escape');
    await ben.page.locator('.welcome').waitFor();
  });

  it('an unread badge and the tab title show on Ben’s side, Ana’s tick turns delivered, with polling off', { timeout: STEP }, async () => {
    const { ana, ben } = people;
    const text = 'Are you there, Ben?';
    const attempted = await withoutPolling(ben, async () => {
      await send(ana.page, text);
      const row = ben.page.locator(`.contact[data-email="${ana.email}"]`);
      await row.getByLabel('1 unread').waitFor();
      await row.getByText(text).waitFor();
      await ben.page.waitForFunction(() => document.title === '(1) Parley');
    });
    assert.equal(attempted, 0, 'no polling while the socket is open');
    await bubble(ana.page, text, 'mine').and(ana.page.locator('[data-status="delivered"]')).waitFor();
    await shot(ben.page, 'realtime-01-unread-badge');
    await expectAccessible(ben.page, 'the contact list with an unread badge');
    await shot(ana.page, 'realtime-02-tick-delivered');
  });

  it('Ana’s tick turns read when Ben opens the conversation, and his badge clears', { timeout: STEP }, async () => {
    const { ana, ben } = people;
    await open(ben.page, ana.email);
    await bubble(ben.page, 'Are you there, Ben?', 'theirs').waitFor();
    await bubble(ana.page, 'Are you there, Ben?', 'mine').and(ana.page.locator('[data-status="read"]')).waitFor();
    await ben.page.waitForFunction(() => document.title === 'Parley');
    assert.equal(await ben.page.locator(`.contact[data-email="${ana.email}"] .badge`).count(), 0);
    await shot(ana.page, 'realtime-03-tick-read');
  });

  it('a message typed by Ana shows in Ben’s open conversation by push, polling switched off', { timeout: STEP }, async () => {
    const { ana, ben } = people;
    await watchArrivals(ben.page);
    await watchSends(ana.page);
    const text = 'Pushed, not polled';
    const attempted = await withoutPolling(ben, async () => {
      await send(ana.page, text);
      await bubble(ben.page, text, 'theirs').waitFor();
    });
    assert.equal(attempted, 0, 'no polling while the socket is open');
    // Printed, not asserted: the bench (scripts/bench-e2e.sh) gives p50 and p99 over many messages.
    console.log(`send -> shown in the other browser: ${(await sentToShown(ana.page, ben.page, text)).toFixed(1)} ms`);
    assert.equal(await bubble(ben.page, text, 'theirs').count(), 1);
  });

  it('typing shows on Ana’s side while Ben types, and ends when his message comes', { timeout: STEP }, async () => {
    const { ana, ben } = people;
    await ben.page.locator('#composer-input').pressSequentially('Typing a repl', { delay: 20 });
    await ana.page.locator('.conversation-header .typing').waitFor();
    await ana.page.locator(`.contact[data-email="${ben.email}"] .typing`).waitFor();
    await shot(ana.page, 'realtime-04-typing');
    await expectAccessible(ana.page, 'a conversation with typing shown');
    await ben.page.locator('#composer-input').pressSequentially('y', { delay: 20 });
    await ben.page.locator('#composer-input').press('Enter');
    await bubble(ana.page, 'Typing a reply', 'theirs').waitFor();
    await ana.page.locator('.conversation-header .typing').waitFor({ state: 'detached' });
  });

  it('what Ana sends while Ben is offline appears once he is back, exactly once; his own offline message waits and goes out', { timeout: STEP }, async () => {
    const { ana, ben } = people;
    await ben.context.setOffline(true);
    await ben.page.waitForFunction(() => !navigator.onLine);

    const away = 'While you were away';
    await send(ana.page, away);
    await bubble(ana.page, away, 'mine').and(ana.page.locator('[data-status="sent"]')).waitFor();
    const tunnel = 'Sent from a tunnel';
    await send(ben.page, tunnel);
    await bubble(ben.page, tunnel, 'mine').locator('.message-waiting').waitFor();
    await ben.page.waitForTimeout(SETTLE_MS);
    assert.equal(await bubble(ben.page, away, 'theirs').count(), 0, 'nothing reaches Ben while his network is cut');
    assert.equal(await bubble(ana.page, tunnel, 'theirs').count(), 0);
    await shot(ben.page, 'realtime-05-offline-outbox');
    await expectAccessible(ben.page, 'a message waiting in the outbox');

    await ben.context.setOffline(false);
    await bubble(ben.page, away, 'theirs').waitFor();
    await bubble(ana.page, tunnel, 'theirs').waitFor();
    await bubble(ben.page, tunnel, 'mine').and(ben.page.locator('[data-status="read"]')).waitFor();
    await ben.page.waitForTimeout(SETTLE_MS);
    assert.equal(await bubble(ben.page, away, 'theirs').count(), 1, 'exactly once on Ben’s side');
    assert.equal(await bubble(ana.page, tunnel, 'theirs').count(), 1, 'exactly once on Ana’s side');
    assert.equal(await bubble(ben.page, tunnel, 'mine').count(), 1, 'the outbox copy gave way to the stored one');
    await shot(ben.page, 'realtime-06-back-online');
  });

  it('a stranger shows up in Ben’s Requests, live, with add, block and report', { timeout: STEP }, async () => {
    const { ben } = people;
    const cara = await person('cara', 'cara@example.com', { width: 360, height: 740 });
    await signIn(cara.page, cara.email);
    await addContact(cara.page, ben.email, 'Ben');
    await send(cara.page, 'Hi Ben, Cara from the meetup');
    const requests = ben.page.locator('section', { has: ben.page.getByRole('heading', { name: /Requests/ }) });
    await requests.locator(`.contact[data-email="${cara.email}"]`).waitFor();
    const actions = ben.page.getByRole('group', { name: `Request from ${cara.email}` });
    await actions.getByRole('button', { name: `Add ${cara.email} to contacts` }).waitFor();
    await actions.getByRole('button', { name: `Report ${cara.email}` }).waitFor();
    await shot(ben.page, 'realtime-07-request');
    await expectAccessible(ben.page, 'the requests');

    await actions.getByRole('button', { name: `Block ${cara.email}` }).click();
    const dialog = ben.page.getByRole('dialog', { name: /^Block / });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /their message is refused and they see that you don't accept their messages/);
    await shot(ben.page, 'realtime-08-block-dialog');
    await expectAccessible(ben.page, 'the block dialog of a request');
    await dialog.getByRole('button', { name: 'Block', exact: true }).click();
    await ben.page.locator(`.contact[data-email="${cara.email}"] .tag-blocked`).waitFor();
  });

  it('Cara’s next message is refused as the dialog said, and the notice lays out at 360 px', { timeout: STEP }, async () => {
    const { ben, cara } = people;
    const text = 'Hello again?';
    await send(cara.page, text);
    const refused = bubble(cara.page, text, 'mine');
    await refused.and(cara.page.locator('[data-status="failed"]')).waitFor();
    const note = refused.locator('.message-failed');
    assert.match(await note.innerText(), new RegExp(`${ben.email} does not accept your messages`));
    // The composer stays open: it is the refusal that tells her.
    await cara.page.locator('#composer-input').waitFor();
    const layout = await note.evaluate((el) => {
      const icon = el.querySelector('.message-failed-text .icon').getBoundingClientRect();
      const line = el.querySelector('.message-error').getClientRects()[0];
      return {
        sameLine: icon.top < line.bottom && icon.bottom > line.top,
        iconFirst: icon.right <= line.left + 1,
        fits: document.documentElement.scrollWidth <= 360,
      };
    });
    assert.deepEqual(layout, { sameLine: true, iconFirst: true, fits: true });
    await shot(cara.page, 'realtime-09-refused-360');
    await expectAccessible(cara.page, 'a refused message at 360 px');
    await ben.page.waitForTimeout(500);
    assert.equal(await bubble(ben.page, text, 'theirs').count(), 0);
  });

  it('no page errors were thrown', () => {
    assert.deepEqual(problems, []);
  });
});

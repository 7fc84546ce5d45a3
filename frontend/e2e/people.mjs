// What the browser tests share: Chromium's flags, signing in through the development sign-in, adding a
// contact, opening a conversation, sending, and finding a bubble. Used by the *.e2e.test.mjs files and the
// realtime bench; all of them need BASE_URL (the local server) and run through scripts/test-e2e.sh.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const BASE_URL = process.env.BASE_URL;
if (!BASE_URL) throw new Error('BASE_URL is required, e.g. http://localhost:8080');
export const SHOTS = resolve(process.env.SCREENSHOT_DIR ?? new URL('../test-results/e2e/', import.meta.url).pathname);
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** shot saves a screenshot of page as SHOTS/<name>.png. */
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** signIn goes through the development sign-in as email and waits for the signed-in app. */
export async function signIn(page, email, { onLanding, onProvider } = {}) {
  await page.goto(BASE_URL, { waitUntil: 'domcontentloaded' });
  const signInButton = page.getByRole('button', { name: 'Sign in', exact: true });
  await signInButton.waitFor();
  await onLanding?.();
  await signInButton.click();
  await page.locator('#email').waitFor();
  await page.locator('#email').fill(email);
  await onProvider?.();
  await page.locator('button[type="submit"]').click();
  await page.getByText(email, { exact: true }).waitFor();
}

/** addContact adds email as name through the dialog and waits for the conversation to open. */
export async function addContact(page, email, name) {
  await page.locator('.sidebar-actions').getByRole('button', { name: 'Add contact' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a contact' });
  await dialog.getByLabel('Email').fill(email);
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  await page.getByRole('heading', { level: 2, name }).waitFor();
}

/** open opens the conversation with email from the contact list. */
export async function open(page, email) {
  await page.locator(`.contact[data-email="${email}"]`).click();
  await page.locator('#composer-input, .blocked-bar, .request-bar').first().waitFor();
}

/** send types text into the composer and presses Enter. */
export async function send(page, text) {
  const box = page.locator('#composer-input');
  await box.fill(text);
  await box.press('Enter');
}

/** bubble is the message on one side ('mine' or 'theirs') whose text contains text. */
export function bubble(page, text, side) {
  return page.locator(`.message.${side}`).filter({ has: page.locator('.bubble-text', { hasText: text }) });
}

/** watchArrivals notes, in page, when each incoming bubble's text first shows (window.__arrived[text]). */
export async function watchArrivals(page) {
  await page.evaluate(() => {
    const seen = (window.__arrived = {});
    new MutationObserver((records) => {
      const now = performance.timeOrigin + performance.now();
      for (const r of records) {
        for (const node of r.addedNodes) {
          if (!(node instanceof Element)) continue;
          for (const el of node.matches('.message.theirs') ? [node] : node.querySelectorAll('.message.theirs')) {
            const text = el.querySelector('.bubble-text')?.textContent ?? '';
            if (!(text in seen)) seen[text] = now;
          }
        }
      }
    }).observe(document.querySelector('#main'), { childList: true, subtree: true });
  });
}

/** watchSends notes, in page, when Enter is pressed on the composer, per text (window.__sent[text]). */
export async function watchSends(page) {
  await page.evaluate(() => {
    const sent = (window.__sent = {});
    document.addEventListener(
      'keydown',
      (e) => {
        if (e.key === 'Enter' && e.target instanceof HTMLTextAreaElement && e.target.id === 'composer-input') {
          sent[e.target.value] = performance.timeOrigin + performance.now();
        }
      },
      true,
    );
  });
}

/** sentToShown is how long text took from Enter in sender's page to showing in receiver's, in ms (same clock). */
export async function sentToShown(sender, receiver, text) {
  const sentAt = await sender.evaluate((t) => window.__sent[t], text);
  const shownAt = await receiver.evaluate((t) => window.__arrived[t], text);
  return shownAt - sentAt;
}

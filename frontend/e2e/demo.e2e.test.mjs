// The offline demo (?demo, in-memory adapter) at desktop and phone sizes, light and dark:
// no horizontal overflow at 360 px, a sent message is ticked read, Ada types, and her reply is pushed.
// Saves screenshots next to the chat scenario's. Needs BASE_URL (any server of frontend/dist).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { expectAccessible } from './axe.mjs';
import { ARGS, BASE_URL, CHROMIUM, SHOTS } from './people.mjs';

describe('Offline demo, responsive and themed', { timeout: 3 * 60_000 }, () => {
  let browser;
  let context;
  // The desktop page the first two steps share.
  let desktop;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Pages made over the DevTools protocol, as in chat.e2e.test.mjs, not a persistent profile's startup window.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
    context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1200, height: 760 } });
    context.setDefaultTimeout(15_000);
    desktop = await context.newPage();
  });

  after(async () => {
    await browser?.close();
  });

  it('desktop, light: send to Ada, see her reply without a reload', { timeout: 60_000 }, async () => {
    const page = desktop;
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${BASE_URL}/?demo`);
    await page.locator('.contact[data-email="ada@parley.dev"]').click();
    const box = page.getByRole('textbox', { name: 'Message Ada Lovelace' });
    await box.fill('How is the engine today?');
    await box.press('Enter');
    // Ada's device gets it, she reads it (the tick turns read), types, and answers.
    await page.locator('.message.mine[data-status="read"]', { hasText: 'How is the engine today?' }).waitFor();
    await page.locator('.conversation-header .typing').waitFor();
    await page.locator('.message.theirs').nth(2).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, 'demo-desktop-light.png') });
    await expectAccessible(page, 'the demo conversation, light');
    await page.locator('.sidebar-actions').getByRole('button', { name: 'Add contact' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a contact' });
    await dialog.waitFor();
    await expectAccessible(page, 'the add-contact dialog');
    // Cancel, not Escape: an Escape the dialog does not take closes the conversation behind it.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  });

  it('desktop, dark, with the report dialog', { timeout: 60_000 }, async () => {
    const page = desktop;
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('button', { name: 'Report Ada Lovelace' }).click();
    await page.getByRole('dialog', { name: 'Report Ada Lovelace' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'demo-desktop-dark-report.png') });
    await expectAccessible(page, 'the report dialog, dark');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.screenshot({ path: join(SHOTS, 'demo-desktop-dark.png') });
    await expectAccessible(page, 'the demo conversation, dark');
  });

  it('phone, 360 px: list, then conversation, no horizontal overflow', { timeout: 60_000 }, async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${BASE_URL}/?demo`);
    await page.locator('.contact[data-email="grace@parley.dev"]').waitFor();
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 360, 'list fits in 360 px');
    await page.screenshot({ path: join(SHOTS, 'demo-phone-list.png') });
    await expectAccessible(page, 'the list with requests at 360 px');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expectAccessible(page, 'the list with requests at 360 px, dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.locator('.contact[data-email="linus@parley.dev"]').click();
    await page.getByRole('button', { name: 'Add to contacts' }).waitFor();
    await page.locator('.message .bubble-text').first().waitFor();
    await page.screenshot({ path: join(SHOTS, 'demo-phone-request.png') });
    await expectAccessible(page, 'a request at 360 px');
    await page.getByRole('button', { name: 'Back to contacts' }).click();

    await page.locator('.contact[data-email="grace@parley.dev"]').click();
    await page.getByRole('textbox', { name: 'Message Grace Hopper' }).waitFor();
    await page.locator('.message .bubble-text').first().waitFor();
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 360, 'conversation fits in 360 px');
    assert.equal(await page.locator('.sidebar').isVisible(), false, 'one pane at a time');
    await page.screenshot({ path: join(SHOTS, 'demo-phone-conversation.png') });
    await expectAccessible(page, 'a conversation at 360 px');
    await page.close();
  });
});

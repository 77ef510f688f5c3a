import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { accessibilityViolations, api, chromiumMissing, useConsole } from './harness.ts';
import { consolePath, seed, type Seeded } from './seed.ts';

/**
 * The console end to end, in headless Chromium against a real Parley: sign in, the live list,
 * a chat's transcript with its redaction and deletion, a call played with the transcript
 * following, a human's answer in manual mode arriving through the API. The sampling page's JSONL
 * download has its own file (the pages beyond these use harness.ts the same way).
 *
 * `PARLEY_DOCS_SCREENSHOT=1` also writes the played call's page to docs/console.png (the README's screenshot).
 */
const DOCS_SCREENSHOT = fileURLToPath(new URL('../../docs/console.png', import.meta.url));

describe('the console in a browser', { skip: chromiumMissing() }, () => {
  const ctx = useConsole();
  let data: Seeded;
  let page: Page;
  before(async () => {
    data = await seed(ctx);
  });

  it('refuses a wrong key, then signs in and lists the conversations', async () => {
    page = await ctx.browser.newPage();
    await page.goto(`${ctx.origin}/console`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'does not accept this key' }).waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    // By keyboard: the key, then Enter.
    await page.getByLabel('API key').fill(ctx.key);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('heading', { name: 'Conversations' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/console/conversations');
    const rows = page.locator('table.list tbody tr');
    await rows.filter({ hasText: 'Refund for a broken bike' }).waitFor();
    assert.equal(await rows.count(), 3);
    // The key stays in this tab's session storage, nowhere else.
    assert.equal(await page.evaluate(() => sessionStorage.getItem('parley.console.apiKey')), ctx.key);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
    assert.deepEqual(await accessibilityViolations(page), []);
    await ctx.screenshot(page, 'console-list');
  });

  it('shows a conversation started elsewhere as it happens (the live event stream)', async () => {
    await page.locator('[data-live="live"]').waitFor();
    await api(ctx, 'POST', '/v1/customers/acme/profiles/default/conversations:start', { displayName: 'Started while watching', channel: 'SMS' });
    await page.locator('table.list tbody tr').filter({ hasText: 'Started while watching' }).waitFor();
    assert.equal(await page.locator('table.list tbody tr').count(), 4);
  });

  it('filters by channel and finds by search', async () => {
    await page.getByLabel('Channel').selectOption('VOICE');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/channel=VOICE/);
    await page.locator('table.list tbody tr').first().waitFor();
    await page.waitForFunction(() => document.querySelectorAll('table.list tbody tr').length === 1);
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByLabel('Search').fill('wheel');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/q=wheel/);
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('table.list tbody tr')];
      return rows.length === 1 && rows[0].textContent!.includes('Refund for a broken bike');
    });
  });

  it('opens a chat: speakers, times, the redaction and the deletion shown as such, the timeline, the insights', async () => {
    await page.getByRole('link', { name: 'Refund for a broken bike' }).click();
    await page.getByRole('heading', { name: 'Refund for a broken bike' }).waitFor();
    assert.equal(new URL(page.url()).pathname, `/console${consolePath(data.chat)}`);
    const messages = page.locator('ol.transcript > li');
    await messages.first().waitFor();
    assert.equal(await messages.count(), 5);
    assert.match(await messages.nth(0).locator('.speaker').innerText(), /Visitor/);
    assert.match(await messages.nth(2).locator('.speaker').innerText(), /Agent/);
    assert.ok(await messages.nth(0).locator('time').getAttribute('datetime'));
    const redacted = messages.nth(1);
    await redacted.locator('.redacted-badge').waitFor();
    assert.match(await redacted.locator('mark.redacted [aria-hidden="true"]').innerText(), /^\*+$/);
    assert.doesNotMatch(await redacted.innerText(), /4111/);
    await messages.nth(3).getByText('This message was deleted').waitFor();
    assert.doesNotMatch(await messages.nth(3).innerText(), /wrong chat/);
    const timeline = page.locator('ol.timeline > li');
    await timeline.filter({ hasText: 'Message redact' }).waitFor();
    await timeline.filter({ hasText: 'Message delete' }).waitFor();
    await page.locator('.insights').getByText('Sentiment').waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    await ctx.screenshot(page, 'console-chat');
    // The dark scheme keeps the contrast too.
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.deepEqual(await accessibilityViolations(page), []);
    await ctx.screenshot(page, 'console-chat-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('plays a call: the position advances and the highlighted line follows the recording', async () => {
    await page.goto(`${ctx.origin}/console${consolePath(data.call)}`);
    await page.getByRole('heading', { name: 'Recording' }).waitFor();
    const audio = page.locator('audio');
    await audio.waitFor();
    await page.waitForFunction(() => (document.querySelector('audio')?.readyState ?? 0) >= 1);
    // The waveform is drawn: some pixel of the canvas is not blank.
    assert.ok(await page.locator('canvas.waveform').evaluate((c: HTMLCanvasElement) => {
      const pixels = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      return pixels.some((v, i) => i % 4 === 3 && v > 0);
    }));
    const lines = page.locator('ol.transcript > li');
    assert.equal(await lines.count(), 2);
    await audio.evaluate((el: HTMLAudioElement) => el.play());
    await page.waitForFunction(() => document.querySelector('audio')!.currentTime > 0.4);
    await page.locator('ol.transcript > li[aria-current="true"]').waitFor();
    assert.match(await page.locator('ol.transcript > li[aria-current="true"] .speaker').innerText(), /Agent/);
    await page.waitForFunction(() => document.querySelector('ol.transcript > li[aria-current="true"] .speaker')?.textContent?.includes('Visitor'), null, { timeout: 20_000 });
    assert.ok(await audio.evaluate((el: HTMLAudioElement) => el.currentTime >= 2.5));
    assert.deepEqual(await accessibilityViolations(page), []);
    await ctx.screenshot(page, 'console-call');
    if (process.env.PARLEY_DOCS_SCREENSHOT) {
      await audio.evaluate((el: HTMLAudioElement) => el.pause());
      await mkdir(dirname(DOCS_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: DOCS_SCREENSHOT });
    }
  });

  it('answers a waiting question in manual mode; the answer arrives through the API', async () => {
    await page.goto(`${ctx.origin}/console${consolePath(data.desk)}`);
    const handoff = page.getByRole('region', { name: 'Handoff' });
    await handoff.getByText('Manual: a human answers').waitFor();
    await handoff.getByText(data.question).waitFor();
    await page.locator('ul.feedback').getByText('Up vote').waitFor();
    await handoff.getByLabel('Your answer').fill('Yes: bring it to the shop within 30 days.');
    await handoff.getByRole('button', { name: 'Send answer' }).click();
    await handoff.getByRole('status').filter({ hasText: 'Your answer was sent.' }).waitFor();
    await handoff.getByText('No question is waiting.').waitFor();
    const listed = await api<{ messages: { message: string; senderRole: string }[] }>(ctx, 'GET', `/external/conversations/${data.deskId}/messages`, undefined, { 'agent-secret-key': data.agentKey });
    assert.deepEqual(listed.messages.map((m) => [m.senderRole, m.message]), [
      ['conversation_user', data.question], ['manual_assistant', 'Yes: bring it to the shop within 30 days.'],
    ]);
    // The transcript on the page has it too (the conversation's live stream).
    await page.locator('ol.transcript > li').filter({ hasText: 'bring it to the shop' }).waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    await ctx.screenshot(page, 'console-handoff');
  });

  it('reloads a deep link in place and signs out', async () => {
    await page.reload();
    await page.getByRole('region', { name: 'Handoff' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('parley.console.apiKey')), null);
  });
});

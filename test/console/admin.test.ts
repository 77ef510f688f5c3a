/**
 * The console's admin pages in a browser: an API key made, its secret shown once, then revoked
 * and refused by the API; a webhook endpoint added whose delivery to a real receiver shows in its
 * log; an agent's knowledge read, added to, released and deleted from.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { WebhookReceiver } from '../jobs/webhook-receiver.ts';
import { PROFILE } from '../api/voice-helpers.ts';
import { accessibilityViolations, api, chromiumMissing, useConsole } from './harness.ts';
import { seed } from './seed.ts';

describe('the admin pages', { skip: chromiumMissing() }, () => {
  const ctx = useConsole();
  const receiver = new WebhookReceiver();
  let page: Page;
  before(async () => {
    await seed(ctx);
    await receiver.start();
  });
  after(() => receiver.stop());

  it('makes a key, shows its secret once, revokes it, and the API refuses it', async () => {
    await ctx.browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ctx.origin });
    page = await ctx.signedIn('/keys');
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await page.getByLabel('Display name').fill('CRM export');
    await page.getByLabel('Profile', { exact: true }).selectOption('default');
    await page.getByLabel('Scopes').fill('Conversation:ListConversations, Conversation:GetConversation');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByRole('region', { name: 'The secret of “CRM export”' });
    const secret = await shown.getByRole('textbox').inputValue();
    assert.match(secret, /\S{20,}/);
    assert.deepEqual(await accessibilityViolations(page), []);
    await ctx.screenshot(page, 'console-key-created');
    await shown.getByRole('button', { name: 'Copy' }).click();
    await shown.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);

    // The key is what the form asked for.
    const auth = { authorization: `Bearer ${secret}` };
    const me = await api<{ name: string; profile: string; scopes: string[]; displayName: string }>(ctx, 'GET', '/v1/customers/-/apiKeys:introspect', undefined, auth);
    assert.deepEqual([me.displayName, me.profile, me.scopes], ['CRM export', PROFILE, ['Conversation:ListConversations', 'Conversation:GetConversation']]);
    await api(ctx, 'POST', `/v1/${PROFILE}/conversations`, {}, auth);

    // Once dismissed (or after a reload) the secret is nowhere on the page.
    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    await page.reload();
    const row = page.locator('table.keys tbody tr').filter({ hasText: 'CRM export' });
    await row.getByText('Active').waitFor();
    assert.ok(!(await page.content()).includes(secret));

    await row.getByRole('button', { name: 'Revoke the key “CRM export”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke the key “CRM export”?' });
    await dialog.waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await page.getByRole('status').filter({ hasText: 'The key “CRM export” was revoked.' }).waitFor();
    await row.getByText('Revoked').waitFor();
    assert.equal(await row.getByRole('button', { name: /Revoke/ }).count(), 0);
    await api(ctx, 'POST', `/v1/${PROFILE}/conversations`, {}, auth, 401);
  });

  it('adds a webhook endpoint (its secret once) and shows its deliveries', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor();
    await page.getByText('No endpoint yet').waitFor();
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByLabel('Description').fill('CRM sync');
    await page.getByLabel('conversation.created').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const shown = page.getByRole('region', { name: `The signing secret of ${receiver.url}` });
    assert.match(await shown.getByRole('textbox').inputValue(), /^whsec_/);
    await page.locator('table.webhooks tbody tr').filter({ hasText: 'CRM sync' }).waitFor();

    await api(ctx, 'POST', `/v1/${PROFILE}/conversations:start`, { displayName: 'Hooked', channel: 'CHAT' });
    await ctx.runJobs();
    assert.equal(receiver.received.length, 1);
    const sent = receiver.received[0].json;
    assert.equal(sent.type, 'conversation.created');

    await page.getByRole('link', { name: `Deliveries to ${receiver.url}` }).click();
    await page.waitForURL(/endpoint=[0-9a-f]{24}/);
    const log = page.getByRole('region', { name: `Deliveries to ${receiver.url}` });
    const delivery = log.locator('tbody tr').filter({ hasText: sent.id });
    await delivery.getByText('conversation.created').waitFor();
    await delivery.getByText('Delivered').waitFor();
    await delivery.getByText('HTTP 204').waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    await ctx.screenshot(page, 'console-webhooks');

    // Paused, it is sent nothing; resumed, it is again.
    await page.getByRole('button', { name: `Pause ${receiver.url}` }).click();
    await page.locator('table.webhooks tbody tr').getByText('Paused').waitFor();
    assert.equal((await api<{ data: { enabled: boolean }[] }>(ctx, 'GET', '/api/v1/webhooks')).data[0].enabled, false);
    await page.getByRole('button', { name: `Resume ${receiver.url}` }).click();
    await page.locator('table.webhooks tbody tr').getByText('Enabled').waitFor();

    await page.getByRole('button', { name: `Delete ${receiver.url}` }).click();
    await page.getByRole('dialog', { name: 'Delete this endpoint?' }).getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByText('No endpoint yet').waitFor();
    assert.deepEqual(await api<{ data: unknown[] }>(ctx, 'GET', '/api/v1/webhooks').then((r) => r.data), []);
  });

  it("opens an agent's knowledge, adds a document, releases it and deletes it", async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('link', { name: 'Bike shop helper' }).waitFor();
    assert.deepEqual(await accessibilityViolations(page), []);
    await page.getByRole('link', { name: 'Bike shop helper' }).click();
    await page.getByRole('heading', { name: 'Bike shop helper', level: 1 }).waitFor();
    const knowledge = page.getByRole('region', { name: 'Knowledge' });
    await knowledge.getByText('returns.md', { exact: true }).click();
    await knowledge.getByText('Bikes can be returned within 30 days.').waitFor();

    await knowledge.getByLabel('Name').fill('warranty.md');
    await knowledge.getByLabel('Content').fill('# Warranty\nFrames carry a five-year warranty.');
    await knowledge.getByRole('button', { name: 'Add document' }).click();
    await knowledge.getByRole('status').filter({ hasText: '“warranty.md” was added' }).waitFor();
    await knowledge.locator('tbody tr').filter({ hasText: 'warranty.md' }).waitFor();
    const agentPath = new URL(page.url()).pathname.replace('/console/agents/', '');
    const agentName = `${PROFILE}/agents/${agentPath.split('/')[1]}`;
    const before = await api<{ version: number; releasedVersion: number }>(ctx, 'GET', `/v1/${agentName}`);
    assert.equal(before.version, before.releasedVersion + 1);
    assert.deepEqual(await accessibilityViolations(page), []);
    await ctx.screenshot(page, 'console-agent');

    await page.getByRole('button', { name: `Release version ${before.version}` }).click();
    await page.getByRole('button', { name: /^Release version/ }).waitFor({ state: 'detached' });
    assert.equal((await api<{ releasedVersion: number }>(ctx, 'GET', `/v1/${agentName}`)).releasedVersion, before.version);
    const versions = page.getByRole('region', { name: 'Versions' });
    await versions.locator('tbody tr').first().filter({ hasText: 'released' }).waitFor();

    await knowledge.getByRole('button', { name: 'Delete “warranty.md”' }).click();
    await page.getByRole('dialog', { name: 'Delete “warranty.md”?' }).getByRole('button', { name: 'Delete document' }).click();
    await knowledge.locator('tbody tr').filter({ hasText: 'warranty.md' }).waitFor({ state: 'detached' });
    const docs = await api<{ knowledgeDocuments: { displayName: string }[] }>(ctx, 'GET', `/v1/${agentName}/knowledge`);
    assert.deepEqual(docs.knowledgeDocuments.map((d) => d.displayName), ['returns.md']);
  });
});

/**
 * The sampling page in a browser: the preview is the API's deterministic sample (and follows its
 * ratio), each row opens its conversation, and the JSONL download holds, line for line, what
 * `parley sample` writes for the same sample in either format.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { sampleToFile, type SampleFormat } from '../../src/cli/sample.ts';
import { PROFILE } from '../api/voice-helpers.ts';
import { accessibilityViolations, api, chromiumMissing, useConsole, type ConsoleContext } from './harness.ts';
import { seed } from './seed.ts';

interface Sample { sampledConversations: { conversation: string }[] }

const sampled = (ctx: ConsoleContext, filter: object) =>
  api<Sample>(ctx, 'POST', `/v1/${PROFILE}/conversations:sample`, { filter }).then((s) => s.sampledConversations.map((c) => c.conversation));

/** The names in the preview table, in its order, once it shows `count` rows. */
async function previewNames(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction((n) => document.querySelectorAll('table.sample tbody tr').length === n
    || (n === 0 && document.body.textContent!.includes('The sample is empty')), count);
  return page.locator('table.sample tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')!));
}

/** What `parley sample` writes for the whole profile in `format`. */
async function cliLines(ctx: ConsoleContext, format: SampleFormat): Promise<string[]> {
  let text = '';
  await sampleToFile(ctx.core, {
    profile: PROFILE, request: {}, format,
    out: { write: async (t) => void (text += t), close: async () => {} },
    progress: { isTTY: false, write: () => {} },
  });
  return text.split('\n').filter(Boolean);
}

async function download(page: Page, format: SampleFormat): Promise<{ name: string; lines: string[] }> {
  await page.getByLabel('Format').selectOption(format);
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSONL' }).click()]);
  const text = await readFile((await file.path())!, 'utf8');
  assert.ok(text.endsWith('\n'), 'every line ends with a newline');
  return { name: file.suggestedFilename(), lines: text.split('\n').slice(0, -1) };
}

describe('the sampling page', { skip: chromiumMissing() }, () => {
  const ctx = useConsole();
  let page: Page;
  before(async () => {
    await seed(ctx);
  });

  it('previews the deterministic sample, follows the ratio, and links each conversation', async () => {
    page = await ctx.signedIn('/sampling');
    await page.getByRole('heading', { name: 'Sampling' }).waitFor();
    const all = await sampled(ctx, {});
    assert.equal(all.length, 3);
    assert.deepEqual(await previewNames(page, 3), all);
    await page.locator('table.sample').getByRole('link', { name: 'Refund for a broken bike' }).waitFor();
    assert.match(await page.locator('p.count').innerText(), /3 sampled conversations of 3 in the range/);
    assert.deepEqual(await accessibilityViolations(page), []);
    await ctx.screenshot(page, 'console-sampling');

    await page.getByLabel('Ratio').fill('0.4');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.waitForURL(/ratio=0.4/);
    const fewer = await sampled(ctx, { maxConversationRatio: 0.4 });
    assert.ok(fewer.every((n) => all.includes(n)), 'a smaller ratio keeps a subset');
    assert.deepEqual(await previewNames(page, fewer.length), fewer);

    await page.getByRole('button', { name: 'Reset' }).click();
    await previewNames(page, 3);
    await page.locator('table.sample').getByRole('link', { name: 'Refund for a broken bike' }).click();
    await page.getByRole('heading', { name: 'Refund for a broken bike' }).waitFor();
    await page.goBack();
    await previewNames(page, 3);
  });

  it('downloads the sample as JSONL: the lines `parley sample` writes, in both formats', async () => {
    const names = await sampled(ctx, {});
    const openai = await download(page, 'openai');
    assert.match(openai.name, /^sample-default-openai-\d{4}-\d{2}-\d{2}\.jsonl$/);
    const parsed = openai.lines.map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    assert.ok(parsed.length >= 2, `${parsed.length} lines`);
    assert.deepEqual(parsed, (await cliLines(ctx, 'openai')).map((l) => JSON.parse(l)));
    // The chat's line: the redaction applied, the deleted message left out, each speaker under its chat role.
    const chat = parsed.find((l) => l.messages[0].content.includes('broken wheel'))!;
    assert.deepEqual(chat.messages.map((m) => m.role), ['user', 'user', 'assistant', 'user']);
    assert.doesNotMatch(JSON.stringify(chat), /4111|wrong chat/);
    await page.getByRole('status').filter({ hasText: `Ready: ${parsed.length} lines` }).waitFor();

    const parley = await download(page, 'parley');
    const lines = parley.lines.map((l) => JSON.parse(l) as { conversation: { name: string }; messages: { name: string }[] });
    assert.deepEqual(lines.map((l) => l.conversation.name), names);
    assert.deepEqual(lines, (await cliLines(ctx, 'parley')).map((l) => JSON.parse(l)));
    for (const line of lines) {
      const listed = await api<{ conversationMessages: unknown[] }>(ctx, 'GET', `/v1/${line.conversation.name}/conversationMessages?pageSize=1000`);
      assert.deepEqual(line.messages, listed.conversationMessages);
    }
    assert.deepEqual(await accessibilityViolations(page), []);
  });
});

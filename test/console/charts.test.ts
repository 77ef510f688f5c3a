/**
 * The charts page in a browser, over the seeded conversations (two analysed, one handed to a
 * human): every chart is drawn, and its text alternative (the caption and the hidden data table)
 * carries the numbers the API answered, by day and by hour, in both colour schemes.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page, Response } from 'playwright-core';
import { accessibilityViolations, chromiumMissing, useConsole } from './harness.ts';
import { seed } from './seed.ts';

interface Bucket {
  startTime: string; conversationCount: number; analyzedCount: number; positiveCount: number; neutralCount: number; negativeCount: number;
  taskCompletedCount: number; handedOffCount: number;
}
interface Stats { buckets: Bucket[]; topTopics: { topic: string; count: number }[] }

const isStats = (r: Response) => r.url().includes('/conversationStats?') && r.ok();
const total = (stats: Stats, key: keyof Bucket) => stats.buckets.reduce((n, b) => n + (b[key] as number), 0);
const pct = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;

/** A figure's caption and its hidden table's rows (each row's cells as text). */
async function figure(page: Page, title: string): Promise<{ summary: string; rows: string[][] }> {
  const fig = page.getByRole('figure', { name: title });
  await fig.waitFor();
  return {
    summary: await fig.locator('.chart-summary').innerText(),
    rows: await fig.locator('table.chart-data tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent!.trim()))),
  };
}

/** Whether some pixel of each chart's canvas is painted. */
const drawn = (page: Page) => page.locator('.chart-plot canvas').evaluateAll((canvases: HTMLCanvasElement[]) => canvases.length === 4
  && canvases.every((c) => c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v > 0)));

describe('the charts page', { skip: chromiumMissing() }, () => {
  const ctx = useConsole();
  let page: Page;
  before(async () => {
    await seed(ctx);
  });

  it('charts the last 7 days by day; each chart says its numbers in words and in a table', async () => {
    page = await ctx.browser.newPage();
    const answered = page.waitForResponse(isStats);
    await page.goto(`${ctx.origin}/console/charts?days=7`);
    await page.getByLabel('API key').fill(ctx.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const response = await answered;
    const stats = (await response.json()) as Stats;
    const asked = new URL(response.url()).searchParams;
    assert.equal(asked.get('interval'), 'DAY');
    // Seven local days, today's included.
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    midnight.setDate(midnight.getDate() - 6);
    assert.equal(asked.get('startTime'), midnight.toISOString());
    assert.equal(stats.buckets.length, 7);

    const conversations = total(stats, 'conversationCount');
    const analyzed = total(stats, 'analyzedCount');
    const handedOff = total(stats, 'handedOffCount');
    assert.equal(conversations, 3);
    assert.ok(analyzed >= 1 && handedOff >= 1, JSON.stringify(stats.buckets.at(-1)));

    const volume = await figure(page, 'Conversations per day');
    assert.match(volume.summary, new RegExp(`^${conversations} conversations started in the last 7 days, ${analyzed} of them analysed\\.`));
    assert.deepEqual(volume.rows.map((r) => [r[1], r[2]]), stats.buckets.map((b) => [String(b.conversationCount), String(b.analyzedCount)]));
    assert.deepEqual(volume.rows.at(-1)!.slice(1), ['3', String(analyzed)]);

    const sentiment = await figure(page, 'Sentiment per day');
    assert.equal(sentiment.summary, `Of ${analyzed} analysed conversations: ${total(stats, 'positiveCount')} positive, ${total(stats, 'neutralCount')} neutral, ${total(stats, 'negativeCount')} negative.`);
    const today = stats.buckets.at(-1)!;
    assert.deepEqual(sentiment.rows.at(-1)!.slice(1), [today.positiveCount, today.neutralCount, today.negativeCount].map(String));

    const tasks = await figure(page, 'Task completion rate');
    const completed = total(stats, 'taskCompletedCount');
    assert.equal(tasks.summary, `The task was completed in ${completed} of ${analyzed} analysed conversations (${pct(completed, analyzed)}).`);
    assert.equal(tasks.rows.at(-1)![1], `${pct(today.taskCompletedCount, today.analyzedCount)} (${today.taskCompletedCount} of ${today.analyzedCount})`);
    assert.equal(tasks.rows[0][1], '—', 'a day without analysed conversations has no rate');

    const handoffs = await figure(page, 'Handoff rate');
    assert.equal(handoffs.summary, `${handedOff} of 3 conversations were handed to a human (${pct(handedOff, 3)}).`);

    const topics = page.getByRole('region', { name: 'Top topics' });
    if (stats.topTopics.length > 0) {
      const rows = await topics.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.children[0].textContent, tr.children[1].textContent]));
      assert.deepEqual(rows, stats.topTopics.map((t) => [t.topic, String(t.count)]));
    } else {
      await topics.getByText('No analysed conversation names a topic').waitFor();
    }
    await page.waitForFunction(() => document.querySelectorAll('.chart-plot canvas').length === 4);
    assert.ok(await drawn(page), 'every chart is drawn');
    assert.deepEqual(await accessibilityViolations(page), []);
    await ctx.screenshot(page, 'console-charts');
  });

  it('switches to hours: a bucket an hour, the same totals', async () => {
    const answered = page.waitForResponse(isStats);
    await page.getByLabel('Grouped by').selectOption('HOUR');
    const stats = (await (await answered).json()) as Stats;
    assert.equal(stats.buckets.length, 7 * 24);
    await page.waitForURL(/interval=HOUR/);
    await page.waitForFunction(() => document.querySelector('figure.chart table.chart-data tbody')?.children.length === 168);
    const volume = await figure(page, 'Conversations per hour');
    assert.match(volume.summary, /^3 conversations started in the last 7 days/);
    assert.equal(volume.rows.reduce((n, r) => n + Number(r[1]), 0), 3);
    // A range the server would refuse by the hour (over 400 buckets) is not offered.
    await page.getByLabel('Time range').selectOption('30');
    await page.waitForURL(/days=30&interval=DAY/);
    assert.deepEqual(await page.getByLabel('Grouped by').locator('option').allTextContents(), ['day', 'week']);
  });

  it('keeps its contrast and redraws in the dark scheme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('figure', { name: 'Conversations per day' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.chart-plot canvas').length === 4);
    assert.ok(await drawn(page));
    assert.deepEqual(await accessibilityViolations(page), []);
    await ctx.screenshot(page, 'console-charts-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

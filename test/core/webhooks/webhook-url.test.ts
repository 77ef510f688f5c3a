import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LookupAddress } from 'node:dns';
import { ParleyError } from '../../../src/kernel/errors.ts';
import { checkWebhookUrl, forbiddenAddressReason, forbiddenLiteralHost, guardedLookup } from '../../../src/core/webhooks/webhook-url.ts';

const strict = { allowPrivateNetworks: false };

async function refusal(url: string): Promise<ParleyError> {
  try {
    await checkWebhookUrl(url, strict);
  } catch (err) {
    assert.ok(err instanceof ParleyError, `${url}: ${String(err)}`);
    return err;
  }
  assert.fail(`${url} was accepted`);
}

describe('webhook SSRF guard', () => {
  it('classifies addresses: only global unicast passes', () => {
    const refused: Record<string, string> = {
      '127.0.0.1': 'loopback', '127.255.0.9': 'loopback', '10.1.2.3': 'private', '172.16.0.1': 'private', '192.168.1.1': 'private',
      '169.254.169.254': 'linkLocal', '100.64.0.1': 'carrierGradeNat', '0.0.0.0': 'unspecified', '224.0.0.1': 'multicast',
      '255.255.255.255': 'broadcast', '192.0.2.1': 'reserved', '::1': 'loopback', '::': 'unspecified', 'fc00::1': 'uniqueLocal',
      'fd12:3456::1': 'uniqueLocal', 'fe80::1': 'linkLocal', 'ff02::1': 'multicast', '::ffff:10.0.0.1': 'private',
      '::ffff:127.0.0.1': 'loopback', '2002:c0a8:101::1': '6to4', '64:ff9b::a00:1': 'rfc6052',
    };
    for (const [address, range] of Object.entries(refused)) {
      const reason = forbiddenAddressReason(address);
      assert.ok(reason?.endsWith(`a ${range} address`), `${address}: ${reason}`);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(forbiddenAddressReason(address), null, address);
    }
  });

  it('refuses loopback, private, link-local and unique-local literals, naming the url field', async () => {
    for (const url of ['http://127.0.0.1/x', 'http://10.0.0.5:8080/', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/',
      'https://[fc00::1]/', 'http://[fd00:ec2::254]/', 'http://[::ffff:192.168.0.1]/', 'http://2130706433/', 'http://0x7f.1/']) {
      const err = await refusal(url);
      assert.equal(err.code, 'INVALID_ARGUMENT', url);
      assert.equal(err.details.fieldViolations?.[0].field, 'url', url);
      assert.match(err.message, /refused/, url);
    }
  });

  it('refuses a host name that resolves to loopback', async () => {
    const err = await refusal('http://localhost:9/hook');
    assert.equal(err.code, 'INVALID_ARGUMENT');
    assert.match(err.message, /localhost resolves to .* loopback address/);
  });

  it('refuses other schemes, credentials, fragments, relative and overlong URLs', async () => {
    for (const [url, why] of [
      ['ftp://example.com/x', /http or https/], ['file:///etc/passwd', /http or https/], ['javascript:alert(1)', /http or https/],
      ['http://user:pw@example.com/', /credentials/], ['https://user@example.com/', /credentials/], ['https://example.com/#x', /fragment/],
      ['/relative/path', /absolute URL/], ['', /required/], [`https://example.com/${'a'.repeat(2100)}`, /at most 2048/],
    ] as const) {
      const err = await refusal(url);
      assert.equal(err.code, 'INVALID_ARGUMENT', url);
      assert.match(err.message, why, url);
    }
  });

  it('accepts a public address, and private ones only with WEBHOOK_ALLOW_PRIVATE_NETWORKS', async () => {
    assert.equal(await checkWebhookUrl('https://93.184.216.34/hook?x=1', strict), 'https://93.184.216.34/hook?x=1');
    for (const url of ['http://127.0.0.1:3000/x', 'http://localhost/x', 'http://[::1]/', 'http://10.0.0.1/']) {
      assert.equal(await checkWebhookUrl(url, { allowPrivateNetworks: true }), url);
    }
    await assert.rejects(checkWebhookUrl('ftp://127.0.0.1/', { allowPrivateNetworks: true }), /http or https/);
  });

  it('checks again at connect time: the lookup used for delivery refuses what resolves to loopback', async () => {
    const lookup = (host: string, all: boolean) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((resolve) =>
        guardedLookup(host, { all }, (err, address) => resolve({ err, address })),
      );
    for (const all of [false, true]) {
      const { err } = await lookup('localhost', all);
      assert.equal(err?.code, 'EWEBHOOKBLOCKED');
      assert.match(err!.message, /refused to connect: localhost resolves to/);
    }
    assert.equal(forbiddenLiteralHost('http://127.0.0.1:80/'), '127.0.0.1 is a loopback address');
    assert.equal(forbiddenLiteralHost('http://[::1]/'), '::1 is a loopback address');
    assert.equal(forbiddenLiteralHost('http://localhost/'), null, 'host names are checked by the lookup');
  });
});

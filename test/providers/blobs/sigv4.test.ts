import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_SHA256, sha256Hex, signRequest, signatureParts, uriEncode } from '../../../src/providers/blobs/sigv4.ts';

/** The example credentials of AWS's documentation. */
const S3_DOC_CREDS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1', service: 's3' };
const S3_DOC_DATE = new Date('2013-05-24T00:00:00Z');

describe('AWS Signature Version 4', () => {
  it('matches the aws-sig-v4-test-suite vector get-vanilla', () => {
    const parts = signatureParts(
      { method: 'GET', url: new URL('https://example.amazonaws.com/'), headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' }, payloadHash: EMPTY_SHA256 },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: 'us-east-1', service: 'service' },
      new Date('2015-08-30T12:36:00Z'),
    );
    assert.equal(parts.canonicalRequest, 'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n' + EMPTY_SHA256);
    assert.equal(parts.signature, '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });

  it("matches the S3 documentation's GET Object example (with Range)", () => {
    const parts = signatureParts(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
        headers: { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': '20130524T000000Z' },
        payloadHash: EMPTY_SHA256,
      },
      S3_DOC_CREDS,
      S3_DOC_DATE,
    );
    assert.equal(parts.signedHeaders, 'host;range;x-amz-content-sha256;x-amz-date');
    assert.equal(parts.signature, 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  it("matches the S3 documentation's PUT Object example (a `$` in the key, a signed payload)", () => {
    const payloadHash = sha256Hex('Welcome to Amazon S3.');
    assert.equal(payloadHash, '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    const parts = signatureParts(
      {
        method: 'PUT',
        url: new URL('https://examplebucket.s3.amazonaws.com/test$file.text'),
        headers: {
          host: 'examplebucket.s3.amazonaws.com',
          date: 'Fri, 24 May 2013 00:00:00 GMT',
          'x-amz-date': '20130524T000000Z',
          'x-amz-storage-class': 'REDUCED_REDUNDANCY',
          'x-amz-content-sha256': payloadHash,
        },
        payloadHash,
      },
      S3_DOC_CREDS,
      S3_DOC_DATE,
    );
    assert.ok(parts.canonicalRequest.startsWith('PUT\n/test%24file.text\n\n'));
    assert.equal(parts.signature, '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  });

  it('signRequest adds x-amz-date, x-amz-content-sha256 and an Authorization header that verifies', () => {
    const url = new URL('http://127.0.0.1:9000/bucket/audio/a%20b.wav');
    const headers = signRequest({ method: 'HEAD', url, headers: {}, payloadHash: EMPTY_SHA256 }, S3_DOC_CREDS, S3_DOC_DATE);
    assert.equal(headers['x-amz-date'], '20130524T000000Z');
    assert.equal(headers['x-amz-content-sha256'], EMPTY_SHA256);
    const again = signatureParts({ method: 'HEAD', url, headers: { 'x-amz-date': headers['x-amz-date'], 'x-amz-content-sha256': EMPTY_SHA256 }, payloadHash: EMPTY_SHA256 }, S3_DOC_CREDS, S3_DOC_DATE);
    assert.equal(headers.authorization, again.authorization);
    assert.match(again.canonicalRequest, /^HEAD\n\/bucket\/audio\/a%20b\.wav\n/);
  });

  it('encodes everything but unreserved characters, keeping / in paths only', () => {
    assert.equal(uriEncode('a b/c~d_e.f-g*h', true), 'a%20b/c~d_e.f-g%2Ah');
    assert.equal(uriEncode('a/b', false), 'a%2Fb');
    assert.equal(uriEncode('ü', false), '%C3%BC');
  });
});

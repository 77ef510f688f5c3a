import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UNSIGNED_PAYLOAD, sha256Hex, signatureParts } from '../../../src/providers/blobs/sigv4.ts';

/**
 * A local stand-in for an S3-compatible store (the real one is not reachable from CI), speaking
 * S3's REST protocol for what Parley uses: PUT, GET (with Range → 206/416), HEAD, DELETE (204),
 * path-style addressing, and SigV4 header authentication checked the way S3 checks it: the
 * signature is recomputed from the request as received, the payload hash is checked against the
 * body unless it is UNSIGNED-PAYLOAD, and a mismatch is 403 SignatureDoesNotMatch.
 */
export interface S3Double {
  endpoint: string;
  objects: Map<string, { body: Buffer; contentType: string }>;
  requests: { method: string; path: string; range?: string }[];
  close(): Promise<void>;
}

function xmlError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startS3Double(options: { bucket: string; region: string; accessKeyId: string; secretAccessKey: string }): Promise<S3Double> {
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const requests: S3Double['requests'] = [];

  function verify(req: IncomingMessage, body: Buffer): string | null {
    const auth = req.headers.authorization ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(auth);
    if (!m) return 'malformed Authorization header';
    const [, keyId, day, region, signedHeaders, signature] = m;
    if (keyId !== options.accessKeyId) return 'unknown access key';
    if (region !== options.region) return 'wrong region';
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!amzDate.startsWith(day)) return 'x-amz-date does not match the credential scope';
    const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
    if (payloadHash !== UNSIGNED_PAYLOAD && payloadHash !== sha256Hex(body)) return 'x-amz-content-sha256 does not match the body';
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) headers[name] = String(req.headers[name] ?? '');
    const date = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const expected = signatureParts(
      { method: req.method!, url: new URL(req.url!, `http://${req.headers.host}`), headers, payloadHash },
      { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, region: options.region, service: 's3' },
      date,
    );
    return expected.signature === signature ? null : 'signature mismatch';
  }

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url!, 'http://x');
    const [, bucket, ...rest] = url.pathname.split('/');
    const key = decodeURIComponent(rest.join('/'));
    requests.push({ method: req.method!, path: url.pathname, range: req.headers.range });
    const problem = verify(req, body);
    if (problem) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end(xmlError('SignatureDoesNotMatch', problem));
      return;
    }
    if (bucket !== options.bucket) {
      res.writeHead(404, { 'content-type': 'application/xml' }).end(xmlError('NoSuchBucket', bucket));
      return;
    }
    const object = objects.get(key);
    switch (req.method) {
      case 'PUT':
        if (req.headers['content-length'] === undefined) {
          res.writeHead(411).end(xmlError('MissingContentLength', 'You must provide the Content-Length HTTP header.'));
          return;
        }
        objects.set(key, { body, contentType: String(req.headers['content-type'] ?? 'binary/octet-stream') });
        res.writeHead(200, { etag: `"${sha256Hex(body).slice(0, 32)}"` }).end();
        return;
      case 'HEAD':
        if (!object) res.writeHead(404).end();
        else res.writeHead(200, { 'content-length': object.body.length, 'content-type': object.contentType }).end();
        return;
      case 'GET': {
        if (!object) {
          res.writeHead(404, { 'content-type': 'application/xml' }).end(xmlError('NoSuchKey', key));
          return;
        }
        const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
        if (!range) {
          res.writeHead(200, { 'content-length': object.body.length, 'content-type': object.contentType }).end(object.body);
          return;
        }
        const start = Number(range[1]);
        const end = Math.min(Number(range[2]), object.body.length - 1);
        if (start >= object.body.length) {
          res.writeHead(416, { 'content-range': `bytes */${object.body.length}` }).end(xmlError('InvalidRange', 'The requested range is not satisfiable'));
          return;
        }
        res.writeHead(206, {
          'content-length': end - start + 1,
          'content-type': object.contentType,
          'content-range': `bytes ${start}-${end}/${object.body.length}`,
        }).end(object.body.subarray(start, end + 1));
        return;
      }
      case 'DELETE':
        objects.delete(key);
        res.writeHead(204).end();
        return;
      default:
        res.writeHead(405).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

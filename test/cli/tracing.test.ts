import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../src/core/index.ts';
import { drivers, freshDatabase, type TestDatabase } from '../helpers/db.ts';
import { start, waitFor } from './cli-harness.ts';

/** The parts of an OTLP/JSON span this test reads. */
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
  attributes: Record<string, unknown>;
}

const SPAN_KIND_SERVER = 2;

/** A local OTLP/HTTP receiver: every span POSTed to /v1/traces (the JSON encoding, as the exporter sends). */
class OtlpReceiver {
  readonly spans: Span[] = [];
  readonly paths: string[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        this.paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
        if (req.url === '/v1/traces') this.spans.push(...spansOf(JSON.parse(body)));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
interface ExportRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: AnyValue }[] };
    scopeSpans: { scope: { name: string }; spans: (Omit<Span, 'scope' | 'attributes'> & { attributes: { key: string; value: AnyValue }[] })[] }[];
  }[];
}

const valueOf = (v: AnyValue) => v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;

function spansOf(request: ExportRequest): Span[] {
  return request.resourceSpans.flatMap((rs) => {
    const service = rs.resource.attributes.find((a) => a.key === 'service.name');
    return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({
      ...s,
      scope: ss.scope.name,
      attributes: { 'service.name': service && valueOf(service.value), ...Object.fromEntries(s.attributes.map((a) => [a.key, valueOf(a.value)])) },
    })));
  });
}

/** Whether `span` lies under `ancestor` in the trace `spans` hold. */
function descendsFrom(span: Span, ancestor: Span, spans: Span[]): boolean {
  for (let current: Span | undefined = span; current; current = spans.find((s) => s.spanId === current!.parentSpanId)) {
    if (current.parentSpanId === ancestor.spanId) return true;
  }
  return false;
}

// The spans of one request through a real `parley serve`: a server process on PostgreSQL, which the instrumentation patches.
describe('OpenTelemetry traces over OTLP', { skip: !drivers().includes('postgres') && 'needs PostgreSQL' }, () => {
  const receiver = new OtlpReceiver();
  let database: TestDatabase;
  let key: string;
  before(async () => {
    await receiver.start();
    database = await freshDatabase('postgres');
    const core = createCore(database.db);
    await core.tenancy.createCustomer('acme');
    key = (await core.apiKeys.create({ customerId: 'acme' })).secret;
    await core.conversations.start({ customerId: 'acme', keyId: 'test', profileId: null, agentId: null, scopes: ['*'] }, 'acme', 'default', 'traced', {});
  });
  after(async () => {
    await database?.drop();
    await receiver.stop();
  });

  it("exports one request's HTTP server span, with its route, and the database statements under it, as service parley", { timeout: 90_000 }, async () => {
    const server = start(['serve'], {
      DATABASE_URL: database.url!, PORT: '0', PARLEY_JOBS: 'off',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      // Sent within 50 ms instead of the default 5 s, so the test waits less for the same condition.
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    try {
      const [, address] = await waitFor(server.output, /Server listening at (http:\/\/127\.0\.0\.1:\d+)/, server.done, 60_000);
      const res = await fetch(`${address}/v1/customers/acme/profiles/default/conversations/traced`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(res.status, 200, await res.text());
      const requestId = res.headers.get('x-request-id');
      assert.ok(requestId);

      const route = '/v1/customers/:customer/profiles/:profile/conversations/:conversation';
      const serverSpan = () => receiver.spans.find((s) => s.kind === SPAN_KIND_SERVER && s.scope === '@opentelemetry/instrumentation-http'
        && String(s.attributes['url.path'] ?? s.attributes['http.target'] ?? '') === '/v1/customers/acme/profiles/default/conversations/traced');
      const deadline = Date.now() + 30_000;
      let http: Span | undefined;
      let pgSpans: Span[] = [];
      while (Date.now() < deadline) {
        http = serverSpan();
        pgSpans = http ? receiver.spans.filter((s) => s.traceId === http!.traceId && s.scope === '@opentelemetry/instrumentation-pg') : [];
        if (http && pgSpans.some((s) => s.name.startsWith('pg.query'))) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(http, `no HTTP server span; received ${receiver.paths.join(', ')}: ${receiver.spans.map((s) => `${s.scope} ${s.name}`).join('; ')}`);
      assert.equal(http.attributes['service.name'], 'parley');
      const trace = receiver.spans.filter((s) => s.traceId === http.traceId);
      assert.ok(trace.some((s) => s.attributes['http.route'] === route), `a span of the trace names the route: ${JSON.stringify(trace.map((s) => [s.name, s.attributes['http.route']]))}`);
      const query = pgSpans.find((s) => s.name.startsWith('pg.query'));
      assert.ok(query, `a pg span in the request's trace: ${trace.map((s) => `${s.scope} ${s.name}`).join('; ')}`);
      assert.ok(descendsFrom(query, http, trace), 'the statement lies under the request');
      assert.equal(query.attributes['db.system.name'] ?? query.attributes['db.system'], 'postgresql');
      assert.ok(!receiver.paths.some((p) => !p.startsWith('POST /v1/traces')), `only traces are exported: ${receiver.paths.join(', ')}`);
    } finally {
      server.child.kill('SIGTERM');
      await server.done;
    }
  });
});

import { STATUS_CODES } from 'node:http';
import { OptionalKind } from '@sinclair/typebox';
import type { RouteOptions } from 'fastify';
import { plain, type SchemaNames } from './schema-names.ts';
import type { Operation, OperationOverride, Parameter, Response } from './types.ts';

/** What the document reads of a route's schema (@fastify/swagger's keys, which the types already allow). */
interface RouteSchema {
  params?: unknown;
  querystring?: unknown;
  headers?: unknown;
  body?: unknown;
  response?: Record<string, unknown>;
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: readonly string[];
  deprecated?: boolean;
  hide?: boolean;
}

export const routeSchema = (route: RouteOptions) => (route.schema ?? {}) as RouteSchema;

/** find-my-way's path syntax as an OpenAPI path: `:name` → `{name}`, `::` → a literal colon. */
export function templatePath(url: string): string {
  return url.split('::').map((part) => part.replace(/:([A-Za-z0-9_]+)/g, '{$1}')).join(':');
}

function parameters(part: unknown, where: Parameter['in']): Parameter[] {
  const schema = plain(part) as { properties?: Record<string, { description?: string }>; required?: string[] } | undefined;
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (schema?.required ?? []).includes(name),
    ...(property.description ? { description: property.description } : {}),
    schema: property,
  }));
}

/** The request headers of a WebSocket opening handshake (RFC 6455 §4.1). */
const UPGRADE_HEADERS: Parameter[] = [
  { name: 'Upgrade', in: 'header', required: true, schema: { type: 'string', enum: ['websocket'] } },
  { name: 'Connection', in: 'header', required: true, schema: { type: 'string', enum: ['Upgrade'] } },
  { name: 'Sec-WebSocket-Key', in: 'header', required: true, schema: { type: 'string' } },
  { name: 'Sec-WebSocket-Version', in: 'header', required: true, schema: { type: 'string', enum: ['13'] } },
];

const WEBSOCKET_NOTE = 'WebSocket: OpenAPI has no WebSocket operations, so this is the opening GET; it answers 101 and the '
  + 'connection carries WebSocket messages from then on (see `x-websocket` where the messages are described).';

/** Copies `value`, passing every `schema` in it (media types, parameters, extensions) through `refer`. */
function withSchemas<T>(value: T, refer: (schema: unknown) => unknown): T {
  if (Array.isArray(value)) return value.map((item) => withSchemas(item, refer)) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === 'schema' ? refer(item) : withSchemas(item, refer)])) as T;
}

export interface OperationContext {
  /** The surface's named schemas (none for the routes outside every surface). */
  names?: SchemaNames;
  security: Record<string, string[]>[];
}

/** The OpenAPI operation of one route: its schema, the kind of route, then the route's own `config.openapi`. */
export function operationOf(route: RouteOptions, path: string, { names, security }: OperationContext): Operation {
  const schema = routeSchema(route);
  const refer = (s: unknown) => (names ? names.refer(s) : plain(s));
  const websocket = typeof (route as { wsHandler?: unknown }).wsHandler === 'function';

  const declared = [
    ...parameters(schema.params, 'path'),
    ...parameters(schema.querystring, 'query'),
    ...parameters(schema.headers, 'header'),
  ];
  // Every template parameter is declared, with or without a params schema.
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
    if (!declared.some((p) => p.in === 'path' && p.name === name)) declared.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }

  const responses: Record<string, Response> = {};
  if (websocket) responses['101'] = { description: 'Switching Protocols: the connection is a WebSocket from here on' };
  for (const [status, body] of Object.entries(schema.response ?? {})) {
    responses[status] = { description: STATUS_CODES[Number(status)] ?? 'Response', content: { 'application/json': { schema: refer(body) } } };
  }
  if (Object.keys(responses).length === 0) responses['200'] = { description: 'OK' };

  const parametersOut = [...(websocket ? UPGRADE_HEADERS : []), ...declared];
  const optionalBody = (schema.body as Record<symbol, unknown> | undefined)?.[OptionalKind] === 'Optional';
  const operation: Operation = {
    ...(schema.operationId ? { operationId: schema.operationId } : {}),
    ...(schema.summary ? { summary: schema.summary } : {}),
    ...(schema.description || websocket ? { description: [schema.description, websocket ? WEBSOCKET_NOTE : undefined].filter(Boolean).join('\n\n') } : {}),
    ...(schema.tags ? { tags: [...schema.tags] } : {}),
    ...(schema.deprecated ? { deprecated: true } : {}),
    ...(parametersOut.length ? { parameters: parametersOut } : {}),
    ...(schema.body === undefined ? {} : { requestBody: { required: !optionalBody, content: { 'application/json': { schema: refer(schema.body) } } } }),
    responses,
    security,
  };
  return merge(operation, withSchemas(route.config?.openapi, refer));
}

function merge(operation: Operation, override: OperationOverride | undefined): Operation {
  if (!override) return operation;
  const { parameters, responses, description, ...rest } = override;
  const allParameters = [...(operation.parameters ?? []), ...(parameters ?? [])];
  return {
    ...operation,
    ...rest,
    ...(description ? { description: [description, operation.description].filter(Boolean).join('\n\n') } : {}),
    ...(allParameters.length ? { parameters: allParameters } : {}),
    responses: { ...operation.responses, ...responses },
  };
}

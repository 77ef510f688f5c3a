import type { RouteOptions } from 'fastify';
import type { AnyFastify } from '../surface.ts';
import { operationOf, routeSchema, templatePath } from './operation.ts';
import { SchemaNames } from './schema-names.ts';
import type { Document, Operation, SecurityScheme, SurfaceDocs } from './types.ts';

declare module 'fastify' {
  interface FastifyInstance {
    parleyOpenApi?: OpenApiRegistry;
  }
}

interface Surface {
  name: string;
  prefix: string;
  docs: SurfaceDocs;
}

export interface Documents {
  whole: Document;
  surfaces: Map<string, Document>;
}

/**
 * Every route and surface the app registers, and the OpenAPI documents made from them. Starting
 * the app only records route options (one push a route); the documents are built on the first
 * request for one of them (38 ms for the three surfaces on the dev machine) and kept.
 */
export class OpenApiRegistry {
  private readonly routes: RouteOptions[] = [];
  private readonly owner = new WeakMap<RouteOptions, string>();
  private readonly surfaces = new Map<string, Surface>();
  private built?: Documents;

  constructor(private readonly info: { title: string; version: string; description: string }) {}

  add(route: RouteOptions): void {
    this.routes.push(route);
  }

  addSurface(name: string, prefix: string, docs: SurfaceDocs): void {
    if (this.surfaces.has(name)) throw new Error(`OpenAPI: a surface named ${name} is already registered`);
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`OpenAPI: surface name ${name} must be lowercase letters, digits and dashes`);
    this.surfaces.set(name, { name, prefix, docs });
  }

  /** Marks a route as the named surface's (called from the surface's own onRoute hook). */
  claim(route: RouteOptions, surface: string): void {
    this.owner.set(route, surface);
  }

  surfaceNames(): string[] {
    return [...this.surfaces.keys()];
  }

  documents(): Documents {
    this.built ??= this.build();
    return this.built;
  }

  /** The documented routes with their OpenAPI path: hidden routes and the HEAD twins of GET routes left out. */
  private documented() {
    const gets = new Set(this.routes.filter((r) => r.method === 'GET').map((r) => r.url));
    return this.routes
      .filter((route) => !routeSchema(route).hide && !(route.method === 'HEAD' && gets.has(route.url)))
      .flatMap((route) => {
        const surface = this.surfaces.get(this.owner.get(route) ?? '');
        const path = templatePath(route.url);
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        return methods.map((method) => ({ route, method: method.toLowerCase(), surface, path: surface?.docs.publicPath?.(path) ?? path }));
      });
  }

  private build(): Documents {
    const routes = this.documented();
    const qualified = new Map([...this.surfaces.values()].map((s) => [s.name, new SchemaNames(s.docs.schemas ?? {}, (n) => `${s.docs.schemaPrefix ?? ''}${n}`)]));
    const own = new Map([...this.surfaces.values()].map((s) => [s.name, new SchemaNames(s.docs.schemas ?? {})]));
    const whole = emptyDocument({ ...this.info, description: this.describe(routes) });
    const bySurface = new Map([...this.surfaces.values()].map((s) => [s.name, this.surfaceDocument(s, routes)]));

    for (const { route, method, surface, path } of routes) {
      const security = surface ? requirements(surface.docs.securitySchemes) : [];
      add(whole, path, method, operationOf(route, path, { names: surface && qualified.get(surface.name), security }));
      if (surface) add(bySurface.get(surface.name)!, path, method, operationOf(route, path, { names: own.get(surface.name), security }));
    }
    for (const surface of this.surfaces.values()) {
      const doc = bySurface.get(surface.name)!;
      doc.components.schemas = own.get(surface.name)!.definitions();
      merge(whole.components.schemas, qualified.get(surface.name)!.definitions(), 'schema');
      merge(whole.components.securitySchemes, surface.docs.securitySchemes, 'security scheme');
    }
    whole.components.schemas = Object.fromEntries(Object.entries(whole.components.schemas).sort(([a], [b]) => a.localeCompare(b)));
    return { whole, surfaces: bySurface };
  }

  private surfaceDocument(surface: Surface, routes: ReturnType<OpenApiRegistry['documented']>): Document {
    const mine = routes.filter((r) => r.surface === surface);
    const description = [
      `Parley's \`${surface.name}\` surface, compatible with ${surface.docs.title}. ${surface.docs.description}`,
      `Paths: ${roots(surface, mine).join(', ')}. Authentication: ${authForms(surface.docs.securitySchemes)}.`,
      'Every surface serves the same conversations; /openapi.json describes them all.',
    ].join('\n\n');
    const doc = emptyDocument({ title: `Parley ${surface.name} (${surface.docs.title})`, version: this.info.version, description });
    doc.security = requirements(surface.docs.securitySchemes);
    doc.components.securitySchemes = { ...surface.docs.securitySchemes };
    return doc;
  }

  /** The whole document's description: what exists, where each surface lives, and how to authenticate. */
  private describe(routes: ReturnType<OpenApiRegistry['documented']>): string {
    const rows = [...this.surfaces.values()].map((s) => {
      const mine = routes.filter((r) => r.surface === s);
      return `| \`${s.name}\` | ${s.docs.title} | ${roots(s, mine).join(', ')} | ${authForms(s.docs.securitySchemes)} | /openapi/${s.name}.json |`;
    });
    // A route outside every surface that asks for a key in its own override (/metrics) is not listed as keyless.
    const outside = [...new Set(routes.filter((r) => !r.surface && !r.route.config?.openapi?.security?.length).map((r) => r.path))];
    const table = ['| surface | compatible with | paths | authentication (any one) | its own document |', '|---|---|---|---|---|', ...rows];
    return [
      this.info.description,
      table.join('\n'),
      `Without a key: ${outside.map((p) => `\`${p}\``).join(', ')}. The interactive reference is at \`/docs\`.`,
    ].join('\n\n');
  }
}

function emptyDocument(info: Document['info']): Document {
  return { openapi: '3.1.0', info, paths: {}, components: { securitySchemes: {}, schemas: {} } };
}

function add(doc: Document, path: string, method: string, operation: Operation): void {
  (doc.paths[path] ??= {})[method] = operation;
}

/** Any one of the schemes authenticates: one requirement each. */
function requirements(schemes: Record<string, SecurityScheme>): Record<string, string[]>[] {
  return Object.keys(schemes).map((name) => ({ [name]: [] }));
}

function merge(into: Record<string, unknown>, from: Record<string, unknown>, what: string): void {
  for (const [name, value] of Object.entries(from)) {
    if (name in into && JSON.stringify(into[name]) !== JSON.stringify(value)) {
      throw new Error(`OpenAPI: two surfaces define the ${what} ${name} differently; give one a schemaPrefix or another name`);
    }
    into[name] = value;
  }
}

/** Where a surface lives: its prefix and the first segment after it (`/api/v1/prompts/…`). */
function roots(surface: Surface, routes: { path: string }[]): string[] {
  const found = routes.map((r) => {
    const first = (r.path.slice(surface.prefix.length).split('/')[1] ?? '').replace(/:.*$/, '');
    return first ? `${surface.prefix}/${first}/…` : surface.prefix;
  });
  return [...new Set(found)].map((p) => `\`${p}\``);
}

function authForms(schemes: Record<string, SecurityScheme>): string {
  return Object.values(schemes).map((s) => (s.type === 'http' ? `\`Authorization: ${s.scheme === 'bearer' ? 'Bearer' : s.scheme} <key>\`` : `\`${s.name}: <key>\``)).join(', ');
}

/** Call on the root app before any surface: records every route registered after it. */
export function trackOpenApi(app: AnyFastify, info: { title: string; version: string; description: string }): OpenApiRegistry {
  const registry = new OpenApiRegistry(info);
  app.decorate('parleyOpenApi', registry);
  app.addHook('onRoute', (route) => registry.add(route as RouteOptions));
  return registry;
}

/*
 * The parts of an OpenAPI 3.1 document that Parley writes, and what a surface tells its document
 * beyond its routes. Schemas are TypeBox schemas or plain JSON Schema; the document holds them as
 * plain JSON.
 */

export type SecurityScheme =
  | { type: 'http'; scheme: string; description?: string }
  | { type: 'apiKey'; in: 'header' | 'query' | 'cookie'; name: string; description?: string };

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  description?: string;
  schema?: unknown;
}

export interface MediaType {
  schema?: unknown;
}

export interface Response {
  description: string;
  headers?: Record<string, { description?: string; schema?: unknown }>;
  content?: Record<string, MediaType>;
}

export interface Operation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { description?: string; required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, Response>;
  security?: Record<string, string[]>[];
  deprecated?: boolean;
  /** Extensions (`x-…`): any `schema` inside gets the document's named schemas like the rest. */
  [extension: `x-${string}`]: unknown;
}

/**
 * Added to the operation generated from a route (route `config.openapi`): what its schema cannot
 * say, such as a streamed body, a binary answer or a WebSocket's messages. `parameters` are
 * appended, `responses` merged by status, the rest replaces.
 */
export type OperationOverride = Partial<Operation>;

export interface Document {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers?: { url: string; description?: string }[];
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, SecurityScheme>; schemas: Record<string, unknown> };
}

/** What a surface tells its OpenAPI document beyond its routes (see registerSurface). */
export interface SurfaceDocs {
  /** The vendor API it is compatible with, e.g. "Cresta ConversationService". */
  title: string;
  /** One or two sentences on what the surface is for; the document adds where it lives and its auth. */
  description: string;
  /** Every header form the surface's key extractor reads; any one of them authenticates. */
  securitySchemes: Record<string, SecurityScheme>;
  /**
   * Wire schemas by name: each becomes `components.schemas.<name>`, and wherever the same schema
   * appears in a request or a response (matched by content, so `Type.Optional(X)` is X too) the
   * document refers to it instead of repeating it. Generated clients get these as named types.
   */
  schemas?: Record<string, unknown>;
  /**
   * Put before this surface's schema names in the whole document, where several vendors' types
   * meet (`Ingest` + `Conversation`); its own document keeps the vendor's bare names.
   */
  schemaPrefix?: string;
  /** The public form of an OpenAPI path where the surface rewrites URLs before routing. */
  publicPath?: (path: string) => string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    openapi?: OperationOverride;
  }
}

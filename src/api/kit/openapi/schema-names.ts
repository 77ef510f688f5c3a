/**
 * A surface's named schemas, found by content in the schemas of its routes and turned into
 * `$ref`s to `components.schemas`.
 *
 * Why by content and not by `$id`: a schema carrying an `$id` that appears twice in one route
 * schema (`{conversation: Conversation, conversations: [Conversation]}`) makes Ajv throw
 * "reference resolves to more than one schema", and with validators compiled on first use that
 * would surface at a route's first request. The runtime schemas stay as they are; only the
 * document names them.
 */
export class SchemaNames {
  /** Canonical text of a named schema → its name in the document. */
  private readonly byContent = new Map<string, string>();
  private readonly schemas = new Map<string, unknown>();
  private readonly used = new Set<string>();
  private readonly text = new WeakMap<object, string>();

  /** `qualify` gives the name as the document spells it (the whole document adds a surface's prefix). */
  constructor(schemas: Record<string, unknown>, private readonly qualify: (name: string) => string = (name) => name) {
    for (const [name, schema] of Object.entries(schemas)) {
      const json = plain(schema);
      const key = this.canonical(json);
      const other = this.byContent.get(key);
      if (other) throw new Error(`OpenAPI: the schemas ${other} and ${name} are the same; name it once`);
      this.byContent.set(key, name);
      this.schemas.set(this.qualify(name), json);
    }
  }

  /** A plain JSON copy of `schema` in which every named schema, the whole one included, is a `$ref`. */
  refer(schema: unknown): unknown {
    return this.walk(plain(schema), true);
  }

  /** The definitions of every name referred to so far, and of the names those refer to. */
  definitions(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let pending = [...this.used];
    while (pending.length) {
      for (const name of pending) out[name] = this.walk(this.schemas.get(name), false);
      pending = [...this.used].filter((name) => !(name in out));
    }
    return Object.fromEntries(Object.keys(out).sort().map((name) => [name, out[name]]));
  }

  private walk(node: unknown, mayRefer: boolean): unknown {
    if (Array.isArray(node)) return node.map((item) => this.walk(item, true));
    if (!isObject(node)) return node;
    if (mayRefer) {
      const name = this.byContent.get(this.canonical(node));
      if (name) {
        const qualified = this.qualify(name);
        this.used.add(qualified);
        return { $ref: `#/components/schemas/${qualified}` };
      }
    }
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, this.walk(value, true)]));
  }

  /** JSON with sorted keys, remembered per object: a schema is matched whatever order built it. */
  private canonical(node: unknown): string {
    if (Array.isArray(node)) return `[${node.map((item) => this.canonical(item)).join(',')}]`;
    if (!isObject(node)) return JSON.stringify(node);
    const known = this.text.get(node);
    if (known !== undefined) return known;
    const text = `{${Object.keys(node).sort().map((key) => `${JSON.stringify(key)}:${this.canonical(node[key])}`).join(',')}}`;
    this.text.set(node, text);
    return text;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A TypeBox schema as plain JSON (its symbols and undefined values dropped). */
export function plain(schema: unknown): unknown {
  return schema === undefined ? undefined : JSON.parse(JSON.stringify(schema));
}

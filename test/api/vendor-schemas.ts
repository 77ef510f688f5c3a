import assert from 'node:assert/strict';
import type { Ajv } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';

type Operation = { responses: Record<string, { content?: Record<string, { schema?: object }> }> };
/** A vendor's OpenAPI document, dereferenced: what the response checks read. */
export type VendorDocument = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };

/** A response by the vendor's path, method and status, or one of its named schemas. */
export type VendorTarget = { path: string; method: string; status: number } | { component: string };

/**
 * Checks response bodies against a vendor's published document: `assertBody(body, target)` fails
 * with the validator's errors and the body. Each schema is compiled once.
 */
export function vendorSchemas(vendor: string, document: () => Promise<VendorDocument>, ajv: Ajv | Ajv2020) {
  const validators = new Map<string, ValidateFunction>();
  async function validatorFor(target: VendorTarget): Promise<ValidateFunction> {
    const key = JSON.stringify(target);
    let validate = validators.get(key);
    if (!validate) {
      const doc = await document();
      const schema = 'component' in target
        ? doc.components.schemas[target.component]
        : doc.paths[target.path]?.[target.method.toLowerCase()]?.responses[String(target.status)]?.content?.['application/json']?.schema;
      assert.ok(schema, `${vendor}'s document has no schema for ${key}`);
      validate = ajv.compile(schema);
      validators.set(key, validate);
    }
    return validate;
  }
  return {
    async assertBody(body: unknown, target: VendorTarget): Promise<void> {
      const validate = await validatorFor(target);
      assert.ok(validate(body), `body does not match ${vendor}'s schema ${JSON.stringify(target)}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
    },
  };
}

import { Ajv, type ErrorObject } from 'ajv';
import formats from 'ajv-formats';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = (formats as unknown as { default: typeof formats }).default ?? formats;
import type { FastifySchemaCompiler } from 'fastify';
import { ParleyError, type FieldViolation } from '../../kernel/errors.ts';

function makeAjv(coerceTypes: false | 'array') {
  // removeAdditional stays off: an unknown field is an error, never silently dropped (API-FACTS).
  const ajv = new Ajv({ allErrors: false, coerceTypes, useDefaults: true, removeAdditional: false, strict: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

// Query strings and path params are text, so they are coerced; JSON bodies keep their types,
// so `"displayName": 5` is refused instead of becoming "5".
const coercing = makeAjv('array');
const exact = makeAjv(false);

/** JSON Pointer (ajv's instancePath) of the first string or key holding U+0000, if any. */
function nulPointer(value: unknown, pointer = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? pointer || '/' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (key.includes('\u0000')) return at;
    const found = nulPointer(item, at);
    if (found) return found;
  }
  return undefined;
}

type CompiledValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? exact : coercing;
  const validate = ajv.compile(schema);
  // PostgreSQL's text and jsonb cannot hold U+0000: refuse it here, naming the field, instead of
  // letting the statement fail as an internal error.
  const validateWithoutNul: CompiledValidator = (data) => {
    if (!validate(data)) {
      validateWithoutNul.errors = validate.errors;
      return false;
    }
    const pointer = nulPointer(data);
    validateWithoutNul.errors = pointer === undefined ? null : [{
      instancePath: pointer === '/' ? '' : pointer, schemaPath: '#', keyword: 'nul', params: {},
      message: 'must not contain the NUL character (U+0000)',
    }];
    return pointer === undefined;
  };
  return validateWithoutNul as ReturnType<FastifySchemaCompiler<object>>;
};

function fieldPath(part: string | undefined, error: ErrorObject): string {
  const segments = error.instancePath.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (params.missingProperty) segments.push(params.missingProperty);
  if (params.additionalProperty) segments.push(params.additionalProperty);
  const path = segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
  return path || (part === 'body' ? 'body' : (part ?? 'request'));
}

function describe(error: ErrorObject): string {
  const params = error.params as { additionalProperty?: string; allowedValues?: unknown[] };
  if (params.additionalProperty) return 'unknown field';
  if (params.allowedValues) return `must be one of ${params.allowedValues.join(', ')}`;
  return error.message ?? 'is invalid';
}

/** Turns Fastify's schema validation failure into INVALID_ARGUMENT naming the field. */
export function validationError(errors: ErrorObject[], part: string | undefined): ParleyError {
  const violations: FieldViolation[] = errors.map((e) => ({ field: fieldPath(part, e), description: describe(e) }));
  const first = violations[0];
  return new ParleyError('INVALID_ARGUMENT', `${first.field}: ${first.description}`, { fieldViolations: violations });
}

import type { ErrorObject } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';
import { ParleyError, type FieldViolation } from '../../kernel/errors.ts';
import { LIMITS } from '../../kernel/limits.ts';
import { makeAjv, TIME_DESCRIPTION } from './ajv.ts';

// Query strings and path params are text, so they are coerced; JSON bodies keep their types,
// so `"displayName": 5` is refused instead of becoming "5".
const coercing = makeAjv({ coerceTypes: 'array', useDefaults: true });
const exact = makeAjv({ coerceTypes: false, useDefaults: true });

/** A lone UTF-16 surrogate: with the `u` flag a well-formed pair is one code point and never matches. */
const LONE_SURROGATE = /\p{Cs}/u;

function badText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate (U+D800 to U+DFFF)';
  return undefined;
}

/**
 * The first place in a parsed JSON value that the store cannot hold, as an Ajv error (its
 * instancePath a JSON Pointer): PostgreSQL's text and jsonb refuse U+0000 and lone surrogates,
 * and a value nested past LIMITS.jsonDepth overflows the stack of whatever walks it next
 * (this walk included, which is why it stops there).
 */
export function unstorableValue(value: unknown): ErrorObject | undefined {
  return unstorableAt(value, '', 0);
}

function problem(pointer: string, keyword: string, message: string): ErrorObject {
  return { instancePath: pointer, schemaPath: '#', keyword, params: {}, message };
}

function unstorableAt(value: unknown, pointer: string, depth: number): ErrorObject | undefined {
  if (typeof value === 'string') {
    const bad = badText(value);
    return bad ? problem(pointer, 'storable', bad) : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= LIMITS.jsonDepth) return problem(pointer, 'depth', `must not nest arrays and objects deeper than ${LIMITS.jsonDepth} levels`);
  for (const [key, item] of Object.entries(value)) {
    const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const badKey = badText(key);
    if (badKey) return problem(at, 'storable', `key ${badKey}`);
    const found = unstorableAt(item, at, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Ajv's own words where they would puzzle a caller: a time in range is what `date-time` checks. */
function explained(errors: ErrorObject[]): ErrorObject[] {
  return errors.map((e) => (e.keyword === 'format' && (e.params as { format?: string }).format === 'date-time' ? { ...e, message: TIME_DESCRIPTION } : e));
}

type CompiledValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? exact : coercing;
  const validate = ajv.compile(schema);
  // What the schema cannot say (see unstorableValue) is refused here, naming the field, instead
  // of failing later as an internal error.
  const validateStorable: CompiledValidator = (data) => {
    if (!validate(data)) {
      validateStorable.errors = explained(validate.errors ?? []);
      return false;
    }
    const found = unstorableValue(data);
    validateStorable.errors = found ? [found] : null;
    return found === undefined;
  };
  return validateStorable as ReturnType<FastifySchemaCompiler<object>>;
};

/**
 * The wire path of the field an Ajv error is about, `prefix` first: `messages[2].role`,
 * `content.messages[0].toolCalls`. Empty when the error is about the whole value and there is
 * no prefix; each surface then names the part (`body`, `querystring`) in its own words.
 */
export function fieldPath(error: ErrorObject, prefix = ''): string {
  const segments = error.instancePath.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (params.missingProperty) segments.push(params.missingProperty);
  if (params.additionalProperty) segments.push(params.additionalProperty);
  return segments.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), prefix);
}

function describe(error: ErrorObject): string {
  const params = error.params as { additionalProperty?: string; allowedValues?: unknown[] };
  if (params.additionalProperty) return 'unknown field';
  if (params.allowedValues) return `must be one of ${params.allowedValues.join(', ')}`;
  return error.message ?? 'is invalid';
}

/** Turns Fastify's schema validation failure into INVALID_ARGUMENT naming the field. */
export function validationError(errors: ErrorObject[], part: string | undefined): ParleyError {
  const violations: FieldViolation[] = errors.map((e) => ({ field: fieldPath(e) || (part ?? 'request'), description: describe(e) }));
  const first = violations[0];
  return new ParleyError('INVALID_ARGUMENT', `${first.field}: ${first.description}`, { fieldViolations: violations });
}

/**
 * The one error catalogue. Every failure the core reports is a ParleyError with one of these
 * codes; each surface renders it in its vendor's shape. Nothing dispatches on message text.
 */
export const ERROR_CODES = {
  INVALID_ARGUMENT: { http: 400, grpc: 3 },
  FAILED_PRECONDITION: { http: 400, grpc: 9 },
  OUT_OF_RANGE: { http: 400, grpc: 11 },
  UNAUTHENTICATED: { http: 401, grpc: 16 },
  PERMISSION_DENIED: { http: 403, grpc: 7 },
  NOT_FOUND: { http: 404, grpc: 5 },
  /** The path exists, with other methods (listed in `details.allow`). google.rpc has UNIMPLEMENTED for it. */
  METHOD_NOT_ALLOWED: { http: 405, grpc: 12 },
  ALREADY_EXISTS: { http: 409, grpc: 6 },
  ABORTED: { http: 409, grpc: 10 },
  PAYLOAD_TOO_LARGE: { http: 413, grpc: 8 },
  RESOURCE_EXHAUSTED: { http: 429, grpc: 8 },
  INTERNAL: { http: 500, grpc: 13 },
  UNAVAILABLE: { http: 503, grpc: 14 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A field that failed validation: `field` is the wire path (e.g. `conversation.displayName`). */
export interface FieldViolation {
  field: string;
  description: string;
}

export interface ErrorDetails {
  fieldViolations?: FieldViolation[];
  /** The limit that was exceeded, for PAYLOAD_TOO_LARGE / RESOURCE_EXHAUSTED. */
  limit?: { name: string; max: number };
  retryAfterSeconds?: number;
  [key: string]: unknown;
}

export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ParleyError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

export const invalidArgument = (field: string, description: string) =>
  new ParleyError('INVALID_ARGUMENT', `${field}: ${description}`, { fieldViolations: [{ field, description }] });

export const notFound = (what: string) => new ParleyError('NOT_FOUND', `${what} not found`);

export const failedPrecondition = (message: string) => new ParleyError('FAILED_PRECONDITION', message);

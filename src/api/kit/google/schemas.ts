import { Type } from '@sinclair/typebox';
import { RESOURCE_ID_PATTERN } from '../../../core/tenancy/tenancy.ts';
import { ROLES } from '../../../kernel/types.ts';
import { StringEnum } from '../string-enum.ts';

/*
 * The wire vocabulary of the Cresta surfaces (conversations, voice), which follow Google's API
 * conventions: proto3 JSON scalars, google.rpc.Status errors, resource paths under a profile.
 */

export const Timestamp = Type.String({ format: 'date-time', description: 'RFC 3339 UTC' });
/** Protobuf Duration in JSON: seconds with an `s` suffix, e.g. "12.5s". */
export const Duration = Type.String({ pattern: '^-?[0-9]+(\\.[0-9]{1,9})?s$', description: 'seconds, e.g. "12.5s"' });
/** int64 in proto3 JSON: a decimal string; a number is accepted too. */
export const Int64 = Type.Union([Type.String({ pattern: '^-?[0-9]{1,18}$' }), Type.Integer()]);
export const FreeObject = Type.Record(Type.String(), Type.Unknown());
export const Empty = Type.Object({});
export const ErrorResponse = Type.Object({ code: Type.Integer(), message: Type.String(), details: Type.Array(FreeObject) });

/** Seconds from a Duration the schema has checked. */
export function parseDuration(value: string): number {
  return Number(value.slice(0, -1));
}

export const Role = StringEnum(ROLES);

/** A conversation's name segment: chosen by the caller at start, or the Parley id. */
export const CONVERSATION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Path params of routes under a profile / conversation. */
export const ProfileParams = Type.Object({
  customer: Type.String({ pattern: RESOURCE_ID_PATTERN.source }),
  profile: Type.String({ pattern: RESOURCE_ID_PATTERN.source }),
}, { additionalProperties: false });
export const ConversationParams = Type.Object({
  ...ProfileParams.properties, conversation: Type.String({ pattern: CONVERSATION_ID_PATTERN.source }),
}, { additionalProperties: false });

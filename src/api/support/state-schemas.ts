import { Type } from '@sinclair/typebox';
import { STATE_LIMITS } from '../../core/conversations/custom-states.ts';

/*
 * Parley's own bodies for managing conversation states [Parley: raia only lists them]. The limits
 * are the core's (custom-states.ts), shown here so the OpenAPI document states them.
 */

const Opt = Type.Optional;
/** A string or null as one schema (not a union), so a bad value is one violation in the details, not one per branch. */
const NullableString = (options: { maxLength?: number; description: string }) =>
  Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });

const fields = {
  name: Type.String({ minLength: 1, maxLength: STATE_LIMITS.name, description: 'Unique among the customer\'s states' }),
  description: NullableString({ maxLength: STATE_LIMITS.description, description: 'What the state means; null for none' }),
  // The core checks the form (`#RRGGBB`), in its own words rather than a pattern's.
  color: NullableString({ description: 'A hex color `#RRGGBB`; null for none' }),
  isPersistent: Type.Boolean({ description: 'Whether a conversation keeps the state when it is reset' }),
};

export const CreateStateBody = Type.Object({
  name: fields.name,
  description: Opt(fields.description),
  color: Opt(fields.color),
  isPersistent: Opt(Type.Boolean({ ...fields.isPersistent, default: false })),
}, { additionalProperties: false, title: 'CreateConversationStateBodyDTO' });

export const UpdateStateBody = Type.Object({
  name: Opt(fields.name),
  description: Opt(fields.description),
  color: Opt(fields.color),
  isPersistent: Opt(fields.isPersistent),
}, { additionalProperties: false, title: 'UpdateConversationStateBodyDTO', description: 'At least one field' });

export const StateParams = Type.Object({
  stateId: Type.String({ description: 'The state (its UUID form or 24-hex Parley id)' }),
}, { additionalProperties: false });

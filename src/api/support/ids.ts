/**
 * Ids on the support surface [Parley]. raia's ids are UUIDs, and its OpenAPI document types some
 * of them `format: uuid` (a message feedback's message, a conversation state), so every Parley id
 * (24 hex) goes out here in one UUID form, the same for every field, and comes back in either
 * form. The form is an RFC 9562 version-8 UUID holding the 24 hex digits in order:
 *
 *   65f0c2a1b2c3d4e5f6a7b8c9  →  65f0c2a1-b2c3-8d4e-85f6-a7b8c9000000
 *
 * so the id the other surfaces use is the UUID's hex digits without the dashes, the version and
 * variant nibbles (the 13th and 17th) and the trailing zeros.
 */
const UUID_FORM = /^([0-9a-f]{8})-([0-9a-f]{4})-8([0-9a-f]{3})-8([0-9a-f]{3})-([0-9a-f]{6})000000$/;
const PARLEY_ID = /^[0-9a-f]{24}$/;

/** A Parley id in its UUID form. */
export function wireId(id: string): string {
  return `${id.slice(0, 8)}-${id.slice(8, 12)}-8${id.slice(12, 15)}-8${id.slice(15, 18)}-${id.slice(18, 24)}000000`;
}

/** The Parley id a wire id names (its UUID form or the 24 hex themselves); undefined when it names none. */
export function parseWireId(value: string): string | undefined {
  const lower = value.trim().toLowerCase();
  if (PARLEY_ID.test(lower)) return lower;
  const match = UUID_FORM.exec(lower);
  return match ? match.slice(1).join('') : undefined;
}

/** A Parley id in its UUID form, or null for none. */
export const wireIdOrNull = (id: string | null | undefined): string | null => (id ? wireId(id) : null);

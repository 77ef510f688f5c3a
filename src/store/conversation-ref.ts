/**
 * How a caller addresses one conversation: by Parley id (most surfaces) or by the name segment
 * inside a profile (the conversations surface, where a caller may choose the id). `profileId`,
 * when set with `id`, narrows the match (keys narrowed to a profile).
 */
export type ConversationRef =
  | { customerId: string; id: string; profileId?: string | null }
  | { customerId: string; profileId: string; nameId: string };

/** SQL predicate for a ref on table alias `alias`, with params numbered from `first`. */
export function refPredicate(ref: ConversationRef, first: number, alias = 'conversations'): { sql: string; params: unknown[] } {
  if ('nameId' in ref) {
    return {
      sql: `${alias}.customer_id = $${first} AND ${alias}.profile_id = $${first + 1} AND ${alias}.name_id = $${first + 2}`,
      params: [ref.customerId, ref.profileId, ref.nameId],
    };
  }
  if (ref.profileId) {
    return {
      sql: `${alias}.customer_id = $${first} AND ${alias}.id = $${first + 1} AND ${alias}.profile_id = $${first + 2}`,
      params: [ref.customerId, ref.id, ref.profileId],
    };
  }
  return { sql: `${alias}.customer_id = $${first} AND ${alias}.id = $${first + 1}`, params: [ref.customerId, ref.id] };
}

import type { Stores } from '../../store/index.ts';
import type { PersonFields, PersonRow } from '../../store/end-users.ts';
import { invalidArgument } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';
import { LIMITS } from '../../kernel/limits.ts';

/**
 * People: the end users a conversation is with, one record a person across surfaces. The agent
 * surface signs them in by the caller's id for them (`externalId`); the support desk names them
 * by that id or by Parley's, and knows their names and how to reach them.
 */
export type Person = PersonRow;
export type { PersonFields };

/** A loose check, as mail servers are the real judge: one @, something on each side, a dot after it. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** E.164: a plus, then 7 to 15 digits (spaces, dots, dashes and brackets between them are dropped). */
const PHONE = /^\+[1-9]\d{6,14}$/;

export function checkEmail(email: string, field = 'email'): string {
  const trimmed = email.trim();
  if (!EMAIL.test(trimmed)) throw invalidArgument(field, 'must be an e-mail address');
  return trimmed;
}

/** A phone number in E.164 form (`+15550100`), its separators dropped. */
export function checkPhoneNumber(phone: string, field = 'phoneNumber'): string {
  const compact = phone.trim().replace(/[\s().-]/g, '');
  if (!PHONE.test(compact)) throw invalidArgument(field, 'must be a phone number in E.164 form, such as +15555550100');
  return compact;
}

/**
 * The person a reference names: an end user's Parley id, else the caller's own id for them;
 * created on first use with the reference as the caller's id (as the agent surface's sign-in does).
 */
export async function personFor(s: Stores, customerId: string, reference: string, field = 'conversationUserId'): Promise<Person> {
  const trimmed = reference.trim();
  if (trimmed === '' || trimmed.length > LIMITS.shortString || /\p{Cc}/u.test(trimmed)) {
    throw invalidArgument(field, `must be 1 to ${LIMITS.shortString} characters without control characters`);
  }
  return (await s.endUsers.findPerson(customerId, trimmed)) ?? s.endUsers.upsertPerson(customerId, trimmed, newId(), {});
}

/**
 * The person an outbound start reaches: the one already known at its e-mail address (e-mail) or
 * phone number (SMS, voice), with what the start says of them now; else a new person, whose id
 * for the caller is its own reference (`fkUserId`) or the address.
 */
export async function personReachedAt(s: Stores, customerId: string, by: 'email' | 'phoneNumber', fields: Partial<PersonFields>): Promise<Person> {
  const known = await s.endUsers.findPersonByContact(customerId, by === 'email' ? { email: fields.email } : { phoneNumber: fields.phoneNumber });
  const externalId = known?.externalId ?? (fields.fkUserId || (by === 'email' ? fields.email : fields.phoneNumber) || newId());
  return s.endUsers.upsertPerson(customerId, externalId, newId(), fields);
}

import type { Driver } from '../../store/driver.ts';
import { stores, type Stores } from '../../store/index.ts';
import type { ConversationStateFields, ConversationStateRow } from '../../store/conversation-states.ts';
import { sqlState } from '../../store/pg-errors.ts';
import { invalidArgument, notFound, ParleyError } from '../../kernel/errors.ts';
import { newId } from '../../kernel/ids.ts';

export type ConversationStateView = ConversationStateRow;

/** The bounds of a state's fields [Parley: raia publishes none]. */
export const STATE_LIMITS = {
  name: 100,
  description: 1000,
  /** `#RRGGBB`, as raia's examples write a state's color. */
  color: /^#[0-9A-Fa-f]{6}$/,
} as const;

export interface ConversationStateInput {
  name: string;
  description?: string | null;
  color?: string | null;
  isPersistent?: boolean;
}

export type ConversationStateChanges = Partial<ConversationStateInput>;

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > STATE_LIMITS.name) throw invalidArgument('name', `must be 1 to ${STATE_LIMITS.name} characters`);
  return trimmed;
}

function checkDescription(description: string | null): string | null {
  if (description !== null && description.length > STATE_LIMITS.description) {
    throw invalidArgument('description', `at most ${STATE_LIMITS.description} characters`);
  }
  return description;
}

function checkColor(color: string | null): string | null {
  if (color !== null && !STATE_LIMITS.color.test(color)) throw invalidArgument('color', 'must be a hex color #RRGGBB, or null');
  return color;
}

/** The changes as they will be stored; undefined fields are left as they are. */
function checkChanges(changes: ConversationStateChanges): Partial<ConversationStateFields> {
  return {
    name: changes.name === undefined ? undefined : checkName(changes.name),
    description: changes.description === undefined ? undefined : checkDescription(changes.description),
    color: changes.color === undefined ? undefined : checkColor(changes.color),
    isPersistent: changes.isPersistent,
  };
}

const nameTaken = (name: string, cause: unknown) => new ParleyError('ALREADY_EXISTS', `a conversation state named "${name}" already exists`, {
  fieldViolations: [{ field: 'name', description: 'already names another conversation state' }],
}, { cause });

/** Runs a write whose unique name may be taken (the table's UNIQUE (customer_id, name), so two writers at once cannot both win). */
async function withUniqueName<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (name !== undefined && sqlState(err) === '23505') throw nameTaken(name, err);
    throw err;
  }
}

/**
 * The state a conversation is to be filed under must be one of its customer's: the conversation
 * create and update paths call this inside their transaction, before they write.
 */
export async function checkConversationState(s: Stores, customerId: string, stateId: string): Promise<void> {
  if (!(await s.conversationStates.conversationStateExists(customerId, stateId))) {
    throw invalidArgument('conversationStateId', 'names no conversation state of this customer');
  }
}

/**
 * A customer's own conversation states (raia's conversation states): names, with a description and
 * a color, to file conversations under beside their lifecycle state. They belong to the customer,
 * whichever profile or agent the caller's key is narrowed to. Deleting one unfiles its conversations.
 */
export class ConversationStateService {
  constructor(private readonly db: Driver) {}

  list(customerId: string): Promise<ConversationStateView[]> {
    return stores(this.db).conversationStates.listConversationStates(customerId);
  }

  async get(customerId: string, id: string): Promise<ConversationStateView> {
    const found = await stores(this.db).conversationStates.getConversationState(customerId, id);
    if (!found) throw notFound('conversation state');
    return found;
  }

  /** ALREADY_EXISTS when the customer has a state of this name. */
  create(customerId: string, input: ConversationStateInput): Promise<ConversationStateView> {
    const fields: ConversationStateFields = {
      name: checkName(input.name),
      description: checkDescription(input.description ?? null),
      color: checkColor(input.color ?? null),
      isPersistent: input.isPersistent ?? false,
    };
    return withUniqueName(fields.name, () => stores(this.db).conversationStates.insertConversationState(customerId, newId(), fields));
  }

  /** Changes the fields given; NOT_FOUND for no such state, ALREADY_EXISTS for a taken name. */
  async update(customerId: string, id: string, changes: ConversationStateChanges): Promise<ConversationStateView> {
    const checked = checkChanges(changes);
    if (Object.values(checked).every((value) => value === undefined)) {
      throw invalidArgument('body', 'nothing to change: give name, description, color or isPersistent');
    }
    const updated = await withUniqueName(checked.name, () => stores(this.db).conversationStates.updateConversationState(customerId, id, checked));
    if (!updated) throw notFound('conversation state');
    return updated;
  }

  /** NOT_FOUND for no such state. */
  async delete(customerId: string, id: string): Promise<void> {
    if (!(await stores(this.db).conversationStates.deleteConversationState(customerId, id))) throw notFound('conversation state');
  }
}

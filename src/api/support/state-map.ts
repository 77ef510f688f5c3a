import type { Static } from '@sinclair/typebox';
import type { ConversationStateView } from '../../core/conversations/custom-states.ts';
import { wireId } from './ids.ts';
import type { ConversationState } from './schemas.ts';

/** A conversation state as raia renders one (ExternalApiGetConversationStateResponseDTO). */
export function stateToWire(state: ConversationStateView): Static<typeof ConversationState> {
  return {
    id: wireId(state.id),
    name: state.name,
    description: state.description,
    color: state.color,
    isPersistent: state.isPersistent,
    createdAt: state.createTime.toISOString(),
    updatedAt: state.updateTime.toISOString(),
  };
}

/** Parley's resource names (`customers/c/profiles/p/conversations/id`) taken apart and put together. */

export interface ConversationRef {
  customer: string;
  profile: string;
  conversation: string;
}

/** The last segment of a resource name: `customers/acme` -> `acme`. */
export const lastSegment = (name: string): string => name.slice(name.lastIndexOf('/') + 1);

export function parseConversationName(name: string): ConversationRef | null {
  const m = /^customers\/([^/]+)\/profiles\/([^/]+)\/conversations\/([^/]+)/.exec(name);
  return m ? { customer: m[1], profile: m[2], conversation: m[3] } : null;
}

export const conversationName = (ref: ConversationRef): string => `customers/${ref.customer}/profiles/${ref.profile}/conversations/${ref.conversation}`;

/** The path parameters of a conversation's routes on the conversations surface. */
export const conversationPath = (ref: ConversationRef) => ({ customer: ref.customer, profile: ref.profile, conversation: ref.conversation });

/** Seconds from a protobuf Duration string (`"12.5s"`); 0 when absent. */
export const seconds = (duration: string | undefined): number => (duration ? Number.parseFloat(duration) || 0 : 0);

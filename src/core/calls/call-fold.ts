import type { CallEvent, CallState } from '../../store/calls.ts';
import type { Participant } from '../../kernel/types.ts';

export const SESSION_EVENT_TYPES = [
  'EVENT_TYPE_UNSPECIFIED', 'CALL_START', 'CALL_HOLD', 'CALL_UNHOLD', 'CALL_END', 'CALL_TRANSFER', 'PARTICIPANT_JOIN', 'PARTICIPANT_LEAVE',
] as const;
export type SessionEventType = (typeof SESSION_EVENT_TYPES)[number];

/** What a call's events say about it, independent of the order they arrived in. */
export interface CallView {
  state: CallState;
  /** The earliest CALL_START's platform time. */
  startTime: Date | null;
  endTime: Date | null;
  participants: Participant[];
  /** The first platformMasterCallId naming another call: this call is a transferred leg. */
  masterCallId: string;
  transferTime: Date | null;
}

/** A participant is the same person when role and first non-empty id match. */
export function participantKey(p: Pick<Participant, 'role' | 'user' | 'platformAgentId' | 'externalUserId'>): string {
  return `${p.role}/${p.user || p.platformAgentId || p.externalUserId}`;
}

/**
 * The call rule: a call's state is the fold of its recorded events in platformTime order (arrival
 * order breaks ties), so events that arrive late or out of order end where they belong, and a
 * repeat is never recorded twice. CALL_END is terminal: anything after it on the platform's clock
 * changes nothing. HOLD only holds an ACTIVE call and UNHOLD only resumes a held one.
 */
export function foldCallEvents(platformCallId: string, events: readonly CallEvent[]): CallView {
  const view: CallView = { state: 'ACTIVE', startTime: null, endTime: null, participants: [], masterCallId: '', transferTime: null };
  for (const event of events) {
    if (view.state === 'ENDED') break;
    const time = event.platformTime;
    if (!view.masterCallId && event.platformMasterCallId && event.platformMasterCallId !== platformCallId) {
      view.masterCallId = event.platformMasterCallId;
      view.transferTime = time;
    }
    switch (event.eventType as SessionEventType) {
      case 'CALL_START':
        if (!view.startTime || time < view.startTime) view.startTime = time;
        join(view, event.participants, time);
        break;
      case 'CALL_HOLD':
        if (view.state === 'ACTIVE') view.state = 'ON_HOLD';
        break;
      case 'CALL_UNHOLD':
        if (view.state === 'ON_HOLD') view.state = 'ACTIVE';
        break;
      case 'CALL_TRANSFER':
      case 'PARTICIPANT_JOIN':
        join(view, event.participants, time);
        break;
      case 'PARTICIPANT_LEAVE':
        leave(view, event.participants, time);
        break;
      case 'CALL_END':
        view.state = 'ENDED';
        view.endTime = time;
        join(view, event.participants, time);
        leave(view, view.participants, time);
        break;
    }
  }
  return view;
}

function join(view: CallView, participants: readonly Participant[], time: Date): void {
  for (const p of participants) {
    const key = participantKey(p);
    const present = view.participants.find((q) => participantKey(q) === key && q.leaveTime === null);
    if (present) continue;
    view.participants.push({ ...p, joinTime: p.joinTime ?? time.toISOString(), leaveTime: null });
  }
}

function leave(view: CallView, participants: readonly Participant[], time: Date): void {
  const keys = new Set(participants.map(participantKey));
  for (const q of view.participants) {
    if (q.leaveTime === null && keys.has(participantKey(q))) q.leaveTime = time.toISOString();
  }
}

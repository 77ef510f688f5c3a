/**
 * Sends NOTIFYs after commits, coalesced: at most one NOTIFY per channel in flight; commits that land
 * while it is on its way ask for exactly one more after it. At 1,000 commits/s that is a NOTIFY per
 * round trip instead of one per commit, and each of them leaves after the commits it stands for, so a
 * follower woken by it sees them (or the later poll does: NOTIFY is only a hint).
 */
export function coalescedNotifier(send: (channel: string) => Promise<unknown>): (channel: string) => void {
  const pending = new Map<string, 'sending' | 'again'>();
  const run = (channel: string) => {
    pending.set(channel, 'sending');
    send(channel)
      .catch(() => undefined)
      .finally(() => {
        if (pending.get(channel) === 'again') run(channel);
        else pending.delete(channel);
      });
  };
  return (channel) => {
    if (pending.has(channel)) pending.set(channel, 'again');
    else run(channel);
  };
}

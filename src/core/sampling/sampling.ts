import { createHash } from 'node:crypto';
import type { Driver, Queryable } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import { SAMPLE_TIME, type SampleScope } from '../../store/sampling.ts';
import { requireProfile } from '../tenancy/access.ts';
import { invalidArgument } from '../../kernel/errors.ts';
import { ID_PATTERN } from '../../kernel/ids.ts';
import { TIME_RANGE } from '../../kernel/limits.ts';
import { decodePageToken, encodePageToken, type KeyPart } from '../../kernel/page-token.ts';
import type { Caller } from '../../kernel/types.ts';

export const SAMPLING_METHODS = ['SAMPLING_METHOD_UNSPECIFIED', 'UNIFORM'] as const;
export type SamplingMethod = (typeof SAMPLING_METHODS)[number];

const INT64 = /^-?[0-9]{1,19}$/;
const isInt64 = (v: string) => INT64.test(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n;

/**
 * A sampling page token's key: where the next page starts (SAMPLE_TIME text), then the caps'
 * cutoff (hash, id), both empty when the sample has no cap.
 */
const SAMPLE_KEY: KeyPart[] = [
  (v) => typeof v === 'string' && SAMPLE_TIME.test(v) && Date.parse(v) >= Date.parse(TIME_RANGE.min) && Date.parse(v) <= Date.parse(TIME_RANGE.max),
  (v) => v === '' || (typeof v === 'string' && isInt64(v)),
  (v) => v === '' || (typeof v === 'string' && ID_PATTERN.test(v)),
];

/** Default and maximum page of SampleConversations (the vendor's 10000). */
export const SAMPLE_PAGE_SIZE = 10_000;

export interface SampleRequest {
  pageSize?: number;
  pageToken?: string;
  /** RFC 3339; the base set is the conversations that start in [startTime, endTime). */
  startTime?: string;
  endTime?: string;
  /** (0, 1]; omitted means 1 (every conversation, then the caps). */
  maxConversationRatio?: number;
  /** int64 as a decimal string; 0 or omitted: no cap. */
  maxConversations?: string;
  maxMessages?: string;
  samplingMethod?: SamplingMethod;
  disableMessageCounts?: boolean;
}

export interface SampledConversation {
  nameId: string;
  /** RFC 3339 UTC, microseconds kept when the stored time has them. */
  startTime: string;
  /** Absent when the request disabled message counts. */
  messageCount?: number;
}

export interface SamplePage {
  conversations: SampledConversation[];
  nextPageToken: string;
  pageStartTime: string;
  pageEndTime: string;
  pageConversationCount: number;
}

const EPOCH = '1970-01-01T00:00:00.000000Z';
const TWO_POW_64 = 2 ** 64;

/** Microsecond text → RFC 3339 as Date#toISOString writes it when the microseconds are zero. */
export function wireTime(time: string): string {
  return time.replace(/\.(\d{3})000Z$/, '.$1Z');
}

function int64(value: string | undefined, field: string): string | null {
  if (value === undefined) return null;
  if (!/^[0-9]{1,18}$/.test(value)) throw invalidArgument(field, 'must be a non-negative int64');
  // 0 is proto3's "unset": no cap.
  return BigInt(value) === 0n ? null : BigInt(value).toString();
}

/**
 * SampleConversations for one profile, without access checks (the service and the CLI add
 * theirs). Pages are start-time windows: a page holds the sampled conversations starting in
 * [pageStartTime, pageEndTime), at most pageSize of them, and the next page starts where this one
 * ended, so pages neither overlap nor leave gaps. The end of a page is the start time of the
 * first sampled conversation that did not fit; when more than pageSize sampled conversations
 * share one start time they stay together on one (larger) page rather than being split.
 */
export async function samplePage(db: Queryable, customerId: string, profileId: string, request: SampleRequest): Promise<SamplePage> {
  const s = stores(db);
  const pageSize = request.pageSize || SAMPLE_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > SAMPLE_PAGE_SIZE) throw invalidArgument('pageSize', `must be between 0 and ${SAMPLE_PAGE_SIZE}`);
  const ratio = request.maxConversationRatio ?? 1;
  if (!(ratio > 0 && ratio <= 1)) throw invalidArgument('filter.maxConversationRatio', 'must be greater than 0 and at most 1');
  const maxConversations = int64(request.maxConversations, 'filter.maxConversations');
  const maxMessages = int64(request.maxMessages, 'filter.maxMessages');
  const method = request.samplingMethod ?? 'SAMPLING_METHOD_UNSPECIFIED';
  if (!(SAMPLING_METHODS as readonly string[]).includes(method)) throw invalidArgument('samplingMethod', `must be one of ${SAMPLING_METHODS.join(', ')}`);
  const [startTime, endTime] = await s.sampling.normalizeTimes([request.startTime, request.endTime]);
  if (startTime && endTime && endTime < startTime) throw invalidArgument('filter.endTime', 'must not be before filter.startTime');

  // The seed leaves out the ratio and the caps: every ratio and cap then ranks conversations in
  // one hash order, which is what makes a larger ratio a superset and a cap a prefix.
  const digest = createHash('sha256')
    .update(JSON.stringify({ customerId, profileId, startTime, endTime, method: method === 'SAMPLING_METHOD_UNSPECIFIED' ? 'UNIFORM' : method }))
    .digest('hex');
  const seed = BigInt.asIntN(64, BigInt(`0x${digest.slice(0, 16)}`)).toString();
  // Hashes are uniform over the signed int64 range; keep the lowest ratio·2^64 of them.
  const raw = BigInt(Math.floor(ratio * TWO_POW_64)) - 2n ** 63n - 1n;
  const thresholdText = (raw < -(2n ** 63n) ? -(2n ** 63n) : raw > 2n ** 63n - 1n ? 2n ** 63n - 1n : raw).toString();
  const tokenScope = { customerId, profileId, startTime, endTime, ratio, maxConversations, maxMessages, method, disableMessageCounts: !!request.disableMessageCounts };
  const base: Omit<SampleScope, 'cutoff'> = { customerId, profileId, seed, threshold: thresholdText, startTime, endTime };

  let from: string | null;
  let cutoff: SampleScope['cutoff'];
  const key = decodePageToken(request.pageToken, tokenScope, SAMPLE_KEY) as [string, string, string] | undefined;
  if (key) {
    const [tokenFrom, cutHash, cutId] = key;
    from = tokenFrom;
    cutoff = cutHash === '' ? null : { hash: cutHash, id: cutId };
  } else {
    from = startTime ?? (await s.sampling.firstStart(customerId, profileId, endTime));
    cutoff = maxConversations || maxMessages ? await s.sampling.sampleCutoff(base, { maxConversations, maxMessages }) : null;
  }
  const scope: SampleScope = { ...base, cutoff };
  if (from === null) {
    // No conversation at all in an open-started window: one empty page.
    const at = endTime ?? EPOCH;
    return { conversations: [], nextPageToken: '', pageStartTime: wireTime(at), pageEndTime: wireTime(at), pageConversationCount: 0 };
  }

  let rows = await s.sampling.sampledRows(scope, from, null, pageSize + 1);
  let pageEnd: string;
  let last = true;
  if (rows.length > pageSize) {
    last = false;
    pageEnd = rows[pageSize].startTime;
    rows = rows.filter((r) => r.startTime < pageEnd);
    if (rows.length === 0) {
      pageEnd = await s.sampling.oneMicrosecondAfter(pageEnd);
      rows = await s.sampling.sampledRows(scope, from, pageEnd, null);
    }
    if (endTime !== null && pageEnd >= endTime) {
      pageEnd = endTime;
      last = true;
    }
  } else {
    pageEnd = endTime ?? (await s.sampling.endAfterLastStart(customerId, profileId, from)) ?? from;
  }
  const pageConversationCount = await s.sampling.countStarts(customerId, profileId, from, pageEnd);
  return {
    conversations: rows.map((r) => ({
      nameId: r.nameId,
      startTime: wireTime(r.startTime),
      ...(request.disableMessageCounts ? {} : { messageCount: r.messageCount }),
    })),
    nextPageToken: last ? '' : encodePageToken(tokenScope, [pageEnd, cutoff?.hash ?? '', cutoff?.id ?? '']),
    pageStartTime: wireTime(from),
    pageEndTime: wireTime(pageEnd),
    pageConversationCount,
  };
}

/** Deterministic (consistent-hash) sampling of a profile's conversations (API-FACTS §1, Sampling). */
export class SamplingService {
  constructor(private readonly db: Driver) {}

  async sample(caller: Caller, customerId: string, profileId: string, request: SampleRequest): Promise<SamplePage> {
    await requireProfile(stores(this.db), caller, customerId, profileId);
    return samplePage(this.db, customerId, profileId, request);
  }
}

import type { Driver } from '../../store/driver.ts';
import { stores } from '../../store/index.ts';
import { ParleyError, invalidArgument } from '../../kernel/errors.ts';
import { canonicalLanguage } from '../conversations/conversations.ts';
import { checkRetentionDays } from '../retention/retention-days.ts';

/** Customer and profile ids are chosen by the operator and appear in resource names. */
export const RESOURCE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const DEFAULT_PROFILE_ID = 'default';

/**
 * Customer ids that are first path segments of other surfaces under /v1: the agent surface serves
 * `/v1/{organization}/…` with the customer id as the organization, so these would be ambiguous.
 */
export const RESERVED_CUSTOMER_IDS = ['customers', 'voicecallsession', 'conversations'] as const;

export class TenancyService {
  constructor(private readonly db: Driver) {}

  /** Creates a customer with its default profile. */
  async createCustomer(id: string, displayName = '') {
    if (!RESOURCE_ID_PATTERN.test(id)) throw invalidArgument('customer', `must match ${RESOURCE_ID_PATTERN}`);
    if ((RESERVED_CUSTOMER_IDS as readonly string[]).includes(id)) {
      throw invalidArgument('customer', `must not be one of ${RESERVED_CUSTOMER_IDS.join(', ')} (first path segments of other surfaces under /v1)`);
    }
    return this.db.transaction(async (tx) => {
      const s = stores(tx);
      const customer = await s.customers.insertCustomer(id, displayName);
      if (!customer) throw new ParleyError('ALREADY_EXISTS', `customer ${id} already exists`);
      await s.customers.insertProfile(id, { id: DEFAULT_PROFILE_ID, isDefault: true });
      return customer;
    });
  }

  async createProfile(customerId: string, profileId: string, options: { supportedLanguages?: string[]; defaultLanguage?: string; displayName?: string; retentionDays?: number | null } = {}) {
    if (!RESOURCE_ID_PATTERN.test(profileId)) throw invalidArgument('profile', `must match ${RESOURCE_ID_PATTERN}`);
    const supportedLanguages = (options.supportedLanguages ?? []).map((l) => canonicalLanguage(l, 'languages'));
    const defaultLanguage = options.defaultLanguage ? canonicalLanguage(options.defaultLanguage, 'defaultLanguage') : (supportedLanguages[0] ?? '');
    if (defaultLanguage && supportedLanguages.length > 0 && !supportedLanguages.includes(defaultLanguage)) {
      throw invalidArgument('defaultLanguage', 'must be one of the supported languages');
    }
    const retentionDays = checkRetentionDays(options.retentionDays ?? null);
    const s = stores(this.db);
    if (!(await s.customers.getCustomer(customerId))) throw new ParleyError('NOT_FOUND', `customer ${customerId} not found`);
    const profile = await s.customers.insertProfile(customerId, { id: profileId, supportedLanguages, defaultLanguage, displayName: options.displayName, retentionDays });
    if (!profile) throw new ParleyError('ALREADY_EXISTS', `profile customers/${customerId}/profiles/${profileId} already exists`);
    return profile;
  }

  /** Sets how long a profile keeps its conversations (null: until they are deleted); core/retention purges them. */
  async setProfileRetention(customerId: string, profileId: string, retentionDays: number | null) {
    const days = checkRetentionDays(retentionDays);
    const profile = await stores(this.db).customers.setProfileRetention(customerId, profileId, days);
    if (!profile) throw new ParleyError('NOT_FOUND', `profile customers/${customerId}/profiles/${profileId} not found`);
    return profile;
  }

  listCustomers() {
    return stores(this.db).customers.listCustomers();
  }

  listProfiles(customerId: string) {
    return stores(this.db).customers.listProfiles(customerId);
  }
}

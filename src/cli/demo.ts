import type { Core } from '../core/index.ts';
import { DEFAULT_PROFILE_ID } from '../core/tenancy/tenancy.ts';

export const DEMO_CUSTOMER_ID = 'demo';

/** On an empty embedded database, creates a demo customer with its default profile and one key. */
export async function ensureDemoTenant(core: Core): Promise<{ customerId: string; profileId: string; secret: string } | undefined> {
  if ((await core.tenancy.listCustomers()).length > 0) return undefined;
  await core.tenancy.createCustomer(DEMO_CUSTOMER_ID, 'Demo customer');
  const key = await core.apiKeys.create({ customerId: DEMO_CUSTOMER_ID, displayName: 'demo key' });
  return { customerId: DEMO_CUSTOMER_ID, profileId: DEFAULT_PROFILE_ID, secret: key.secret };
}

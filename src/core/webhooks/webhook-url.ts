import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { invalidArgument } from '../../kernel/errors.ts';

/** Longest webhook URL accepted (Parley's limit). */
export const WEBHOOK_URL_MAX_LENGTH = 2048;

/**
 * Why an address may not receive webhooks, or null when it may. Only global unicast passes:
 * loopback, private, link-local, unique-local, CGNAT, multicast, unspecified, broadcast, reserved
 * and documentation ranges are refused, and an IPv4-mapped IPv6 address is judged as its IPv4.
 * IPv6 forms that embed an IPv4 address (6to4, Teredo, NAT64) are refused too: the embedded
 * address may be private, and webhook receivers never need them.
 */
export function forbiddenAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  const parsed = ipaddr.process(address); // unwraps ::ffff:a.b.c.d to a.b.c.d
  const range = parsed.range();
  return range === 'unicast' ? null : `${parsed.toString()} is a ${range} address`;
}

function hostOf(url: URL): string {
  // WHATWG URL keeps IPv6 literals in brackets and already normalises 2130706433 to 127.0.0.1.
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

export interface UrlCheckOptions {
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: skip the address checks (local receivers, tests). */
  allowPrivateNetworks: boolean;
  /** The wire field named in the error. */
  field?: string;
}

/**
 * The SSRF guard at registration: http(s) only, no credentials, and every address the host
 * resolves to must be public. Returns the URL as given. Delivery checks again on the address
 * actually connected to (`guardedLookup`), so a later DNS change cannot reach a private host.
 */
export async function checkWebhookUrl(raw: string, options: UrlCheckOptions): Promise<string> {
  const field = options.field ?? 'url';
  if (raw.length === 0) throw invalidArgument(field, 'is required');
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) throw invalidArgument(field, `at most ${WEBHOOK_URL_MAX_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidArgument(field, 'is not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidArgument(field, 'must use http or https');
  if (url.username || url.password) throw invalidArgument(field, 'must not contain credentials');
  if (url.hash) throw invalidArgument(field, 'must not contain a fragment');
  if (options.allowPrivateNetworks) return raw;
  const host = hostOf(url);
  const addresses = ipaddr.isValid(host) ? [host] : await resolveAll(host, field);
  for (const address of addresses) {
    const reason = forbiddenAddressReason(address);
    if (reason) throw invalidArgument(field, `refused: ${host} resolves to ${reason} (set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true to allow)`);
  }
  return raw;
}

async function resolveAll(host: string, field: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => {
      if (err) reject(invalidArgument(field, `host ${host} does not resolve (${err.code ?? err.message})`));
      else resolve(addresses.map((a) => a.address));
    });
  });
}

/** The address of an IP-literal URL that may not be connected to, or null (host names go through `guardedLookup`). */
export function forbiddenLiteralHost(raw: string): string | null {
  const host = hostOf(new URL(raw));
  return ipaddr.isValid(host) ? forbiddenAddressReason(host) : null;
}

export class BlockedAddressError extends Error {
  readonly code = 'EWEBHOOKBLOCKED';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls connect that refuses forbidden addresses: the check runs on the addresses
 * the socket will actually use, so DNS rebinding between registration and delivery gains nothing.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    for (const { address } of addresses) {
      const reason = forbiddenAddressReason(address);
      if (reason) return callback(new BlockedAddressError(`refused to connect: ${hostname} resolves to ${reason}`), '');
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

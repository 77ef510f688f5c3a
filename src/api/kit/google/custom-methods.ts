/**
 * Google-style custom methods put the verb after a colon in the last path segment
 * (`…/conversations/abc:close`, `…/conversations:start`). The router cannot tell `:close` from
 * `:start` after a parameter, so the URL is rewritten to `…/abc/:close` before routing, and routes
 * are declared with a literal `::verb` segment (see routePath). Only /v1/ paths are touched.
 */
const VERB_SUFFIX = /([^/]):([A-Za-z][A-Za-z0-9]*)$/;

export function rewriteCustomMethod(url: string): string {
  if (!url.startsWith('/v1/')) return url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  return path.replace(/%3A/gi, ':').replace(VERB_SUFFIX, '$1/:$2') + query;
}

/** Route path for the router from the public path: `/a/:b:close` → `/a/:b/::close`. */
export function routePath(publicPath: string): string {
  return publicPath.replace(/([^/]):([A-Za-z][A-Za-z0-9]*)$/, '$1/::$2');
}

/**
 * Path handed back to @fastify/swagger from its `transform`: `/a/:b/::close` → `/a/{b}::close`.
 * Swagger still runs its own param formatter on the result, which reads any `:word` as a param
 * (`{b}{close}`) but `::` as one literal colon, so the verb keeps its double colon here and the
 * document shows `/a/{b}:close`.
 */
export function openapiPath(routeUrl: string): string {
  return routeUrl.replace(/\/::([A-Za-z0-9]+)$/, '::$1').replace(/\/:([A-Za-z0-9_]+)/g, '/{$1}');
}

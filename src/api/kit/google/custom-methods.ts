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
 * The public OpenAPI path of a custom-method route: the router's `/a/{b}/:close` (the verb as a
 * segment after the rewrite) is `/a/{b}:close` on the wire.
 */
export function openapiPath(templatePath: string): string {
  return templatePath.replace(/\/:([A-Za-z][A-Za-z0-9]*)$/, ':$1');
}

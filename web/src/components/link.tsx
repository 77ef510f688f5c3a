import type { ComponentChildren } from 'preact';
import { href as toHref, navigate } from '../router.ts';

interface Props {
  /** A console path: `/conversations?state=ACTIVE`. */
  href: string;
  children: ComponentChildren;
  class?: string;
  id?: string;
  title?: string;
  'aria-current'?: 'page' | 'true';
  'aria-label'?: string;
}

/** A link to a console path: a real <a> (middle-click, copy link), routed in place on a plain click. */
export function Link({ href, children, ...rest }: Props) {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a {...rest} href={toHref(href)} onClick={onClick}>{children}</a>;
}

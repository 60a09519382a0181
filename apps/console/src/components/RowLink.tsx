import type { MouseEvent, ReactNode } from 'react';

/**
 * A link in a long table's row. The router's `Link` builds and watches its location on every
 * render, which for a page of 200 rows is most of the page's rendering; this is a plain anchor
 * (opens in a new tab, copies, shows its address like any link) whose plain click navigates
 * inside the app through `onNavigate`.
 */
export function RowLink({ href, onNavigate, children }: { readonly href: string; readonly onNavigate: () => void; readonly children: ReactNode }) {
  const click = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onNavigate();
  };
  return (
    <a href={href} onClick={click}>
      {children}
    </a>
  );
}

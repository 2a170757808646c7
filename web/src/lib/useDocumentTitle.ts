import { useEffect } from 'react';
import { useConfig } from '../app/config';

/** "Sign in · Service Portal AI": the page's own title, then the portal's name. */
export function documentTitle(page: string, portal: string): string {
  return page ? `${page} · ${portal}` : portal;
}

/** Sets the browser tab's title for the page on screen (and again when the language changes it). */
export function useDocumentTitle(page: string): void {
  const { portal_name: portal } = useConfig();
  useEffect(() => {
    document.title = documentTitle(page, portal);
  }, [page, portal]);
}

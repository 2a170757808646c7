import { useEffect, useRef, useState, type RefObject } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { searchWithout } from './links';

/**
 * The `token` of an emailed link, read once; the history entry is then replaced, so that the
 * link is kept neither in the history nor in the address bar.
 */
export function useLinkToken(): string {
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const [token] = useState(() => params.get('token') ?? '');
  useEffect(() => {
    if (params.has('token')) {
      navigate({ search: searchWithout(location.search, 'token'), hash: location.hash }, { replace: true, state: location.state });
    }
  }, [params, navigate, location.search, location.hash, location.state]);
  return token;
}

/**
 * A heading that takes the focus when the page's content changes in place (`key` changes), and
 * the screen reader with it.
 */
export function useHeadingFocus(key: string): RefObject<HTMLHeadingElement | null> {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const shown = useRef(key);
  useEffect(() => {
    if (shown.current !== key) headingRef.current?.focus();
    shown.current = key;
  }, [key]);
  return headingRef;
}

// Single-use tokens arrive in the query of emailed links (`/reset-password?token=…`). Once the page
// has read one, it takes it out of the address bar, so that it stays out of the history, of
// bookmarks and of anything copied from the address bar.

/** `search` ("?token=…&x=1") without the parameter `name`: "?x=1", or "" when nothing is left. */
export function searchWithout(search: string, name: string): string {
  const params = new URLSearchParams(search);
  params.delete(name);
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}

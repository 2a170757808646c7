// Files the page makes itself (a data export): saved through a temporary link to an object URL,
// which the Content-Security-Policy allows (no inline script).

/** "service-portal-data-2026-03-05.json", dated by the person's own calendar day. */
export function exportFileName(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `service-portal-data-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}.json`;
}

/** The export as a readable JSON file (indented, ending with a newline). */
export function exportFileText(data: unknown): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Hands `text` to the browser as a download named `name`. */
export function saveFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

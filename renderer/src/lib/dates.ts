// The one way the app writes a date and time, so Runs, Evaluate, Compare and Design read alike.

/** "10:41" for today, "12 Mar, 10:41" for another day this year, "31 Dec 2023, 23:05" for an older one. */
export function formatDateTime(ms: number, now = Date.now(), locale?: string): string {
  const then = new Date(ms);
  const today = new Date(now);
  const time = then.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  if (then.toDateString() === today.toDateString()) return time;
  const year = then.getFullYear() === today.getFullYear() ? undefined : 'numeric';
  return `${then.toLocaleDateString(locale, { day: 'numeric', month: 'short', year })}, ${time}`;
}

// Formatting of times (shown in the operator's chosen zone, kept in UTC), sizes and states.
const ZONE_KEY = 'vigil.timezone';

export function zone() {
  return localStorage.getItem(ZONE_KEY) || 'UTC';
}

export function setZone(z) {
  // Only zones the browser knows: a bad value would make every timestamp throw.
  new Intl.DateTimeFormat('en', {timeZone: z});
  localStorage.setItem(ZONE_KEY, z);
}

export function time(ns) {
  if (!ns) return '—';
  const d = new Date(Number(BigInt(ns) / 1000000n));
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: zone(), year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).format(d) + ' ' + zone();
}

export function ago(ns) {
  if (!ns) return 'never';
  const s = Math.round((Date.now() - Number(BigInt(ns) / 1000000n)) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

// online: seen in the last 5 minutes; stale: in the last hour; offline: longer.
export function agentState(agent) {
  const ms = Date.now() - Number(BigInt(agent.last_seen_ns || 0) / 1000000n);
  if (ms < 5 * 60 * 1000) return 'online';
  if (ms < 3600 * 1000) return 'stale';
  return 'offline';
}

export function isolated(agent) {
  const iso = agent.isolation;
  return !!(iso && (iso.active === true || iso.state === 'isolated' || iso.isolated === true));
}

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1048576).toFixed(1)} MiB`;
}

export function json(value) {
  return JSON.stringify(value, null, 2);
}

// Dashboard: fleet state, detections of the last 24 h by severity, failed tasks, ingest rate.
import {h, replace, table} from '../dom.js';
import {get} from '../api.js';
import {time} from '../format.js';

let lastStats = null;  // {events, at}: the ingest rate is the change between two visits

function tile(label, value, cls = '') {
  return h('div', {class: `tile ${cls}`}, h('div', {class: 'value'}, String(value)), h('div', {class: 'label'}, label));
}

// How many agents match a filter: the server counts, no agent list crosses the wire.
const total = filter => get('/api/v1/agents', {...filter, offset: '0', limit: '1'}).then(r => r.total);

export async function dashboard(el) {
  const [online, stale, offline, isolatedCount, stats, detReply, taskReply] = await Promise.all([
    total({state: 'online'}), total({state: 'stale'}), total({state: 'offline'}), total({isolated: 'true'}),
    get('/api/v1/stats'),
    get('/api/v1/events', {type: 'detection', since: '24h', limit: '10000'}),
    get('/api/v1/tasks', {limit: '1000'}),
  ]);
  const now = Date.now();
  let rate = '—';
  if (lastStats && now > lastStats.at) rate = ((stats.events - lastStats.events) * 1000 / (now - lastStats.at)).toFixed(1);
  lastStats = {events: stats.events, at: now};
  const bySeverity = {};
  for (const d of detReply.events) {
    const sev = (d.event && d.event.severity) || 'Unknown';
    bySeverity[sev] = (bySeverity[sev] || 0) + 1;
  }
  const dayAgo = BigInt(now - 86400000) * 1000000n;
  const failed = taskReply.tasks.filter(t => (t.state === 'error' || t.state === 'expired') &&
    BigInt(t.completed_ns || t.created_ns) >= dayAgo);
  replace(el,
    h('h1', {}, 'Dashboard'),
    h('div', {class: 'tiles', id: 'fleet'},
      tile('agents online', online, 'ok'), tile('stale', stale, 'warn'),
      tile('offline', offline, 'bad'), tile('isolated', isolatedCount, 'warn'),
      tile('events stored', stats.events), tile('events/s since last view', rate)),
    h('h2', {}, 'Detections, last 24 h'),
    h('div', {class: 'tiles', id: 'severities'},
      Object.keys(bySeverity).length ? Object.entries(bySeverity).map(([s, n]) => tile(s, n, 'sev')) :
        h('p', {class: 'empty'}, 'No detections in the last 24 h.')),
    h('h2', {}, `Failed tasks, last 24 h (${failed.length})`),
    table([
      {title: 'Task', cell: t => h('a', {href: `#/tasks/${t.id}`}, t.type)},
      {title: 'Agent', cell: t => h('a', {href: `#/agents/${encodeURIComponent(t.agent_id)}`}, t.agent_id)},
      {title: 'State', cell: t => h('span', {class: `state ${t.state}`}, t.state)},
      {title: 'Error', cell: t => t.error || ''},
      {title: 'Created', cell: t => time(t.created_ns)},
    ], failed, {empty: 'No failed tasks.'}));
}

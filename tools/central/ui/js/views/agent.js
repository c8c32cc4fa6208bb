// One agent: host facts, plugins, isolation (with a one-click release), recent detections,
// event timeline, task history, collected files, response buttons.
import {h, replace, table, field} from '../dom.js';
import {get, post, can} from '../api.js';
import {agentState, ago, time, json, bytes} from '../format.js';
import {taskDialog} from './response.js';
import {taskColumns} from './tasks.js';

function facts(a) {
  const rows = [['Host name', a.hostname], ['Agent id', a.agent_id], ['State', `${agentState(a)} (last seen ${ago(a.last_seen_ns)})`],
    ['Last seen', time(a.last_seen_ns)], ['First seen', time(a.first_seen_ns)], ['OS', a.os], ['Kernel', a.kernel],
    ['Agent version', a.agent_version], ['Addresses', (a.ips || []).join(', ')]];
  return h('dl', {class: 'facts', id: 'agent-facts'}, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v || '—')]));
}

function isolation(a) {
  const iso = a.isolation;
  if (!iso || !iso.isolated) return h('p', {id: 'isolation'}, 'Not isolated.');
  return h('div', {id: 'isolation', class: 'warn'},
    `Isolated since ${time(BigInt(iso.started_ms || 0) * 1000000n)} by ${iso.origin || '?'}`,
    iso.expires_ms ? `, released automatically ${time(BigInt(iso.expires_ms) * 1000000n)}` : '',
    iso.reason ? ` (reason: ${iso.reason})` : '', ' ',
    can('responder') ? h('button', {id: 'release', on: {click: () => taskDialog([a], {type: 'release'})}}, 'Release') : null);
}

function plugins(a) {
  const p = a.plugins && typeof a.plugins === 'object' ? a.plugins : {};
  return table([
    {title: 'Plugin', cell: ([k]) => k},
    {title: 'State', cell: ([, v]) => h('span', {class: `state ${v && v.state}`}, (v && v.state) || '?')},
    {title: 'Version', cell: ([, v]) => (v && v.version) || ''},
    {title: 'Message', cell: ([, v]) => (v && v.message) || ''},
  ], Object.entries(p), {empty: 'The agent reported no plugins.'});
}

// Operators' tags and note: shown to everyone, editable by responders and admins.
function labels(a, el) {
  const tags = a.tags || [];
  const by = a.labels_updated_ns ? `updated ${time(a.labels_updated_ns)} by ${a.labels_updated_by}` : 'never edited';
  const shown = h('div', {id: 'labels'},
    h('p', {}, tags.length ? tags.map(t => h('a', {class: 'tag', href: `#/agents?${new URLSearchParams({tag: t})}`}, t)) : 'No tags.'),
    h('p', {class: 'note', id: 'agent-note'}, a.note || 'No note.'), h('p', {class: 'muted'}, by));
  if (!can('responder')) return shown;
  const tagInput = h('input', {id: 'labels-tags', type: 'text', value: tags.join(' '), placeholder: 'tags, space separated'});
  const note = h('textarea', {id: 'labels-note', rows: '3'});
  note.value = a.note || '';
  const error = h('p', {class: 'error', id: 'labels-error'});
  const form = h('form', {class: 'labels-form'}, field('Tags', tagInput), field('Note', note),
    h('button', {type: 'submit', id: 'labels-save'}, 'Save'), error);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    try {
      await post(`/api/v1/agents/${encodeURIComponent(a.agent_id)}/labels`,
        {tags: tagInput.value.split(/[\s,]+/).filter(Boolean), note: note.value});
      await agentDetail(el, a.agent_id);
    } catch (e) {
      error.textContent = e.message;
    }
  });
  return h('div', {}, shown, form);
}

export async function agentDetail(el, id) {
  const list = await get('/api/v1/agents', {id, offset: '0', limit: '1'});
  const a = list.agents.find(x => x.agent_id === id);
  if (!a) return replace(el, h('p', {class: 'error'}, `No agent ${id}.`));
  const [evs, dets, taskReply] = await Promise.all([
    get('/api/v1/events', {agent: id, since: '24h', limit: '50'}),
    get('/api/v1/events', {agent: id, type: 'detection', since: '7d', limit: '50'}),
    get('/api/v1/tasks', {agent: id, limit: '50'}),
  ]);
  const buttons = can('responder') ? h('div', {class: 'actions', id: 'response-buttons'},
    [['get_file', 'Get file'], ['delete_file', 'Delete file'], ['terminate_process', 'Terminate process'],
      ['isolate', 'Isolate'], ['ioc_scan', 'IOC scan'], ['scan_file', 'Scan file']].map(([type, label]) =>
      h('button', {class: `act-${type}`, on: {click: () => taskDialog([a], {type})}}, label)),
    h('button', {on: {click: () => taskDialog([a])}}, 'Other…')) : null;
  const withFile = taskReply.tasks.filter(t => t.file);
  replace(el,
    h('h1', {class: 'hostname', id: 'agent-title'}, a.hostname || a.agent_id),
    buttons, facts(a), isolation(a),
    h('h2', {}, 'Tags and note'), labels(a, el),
    h('h2', {}, 'Plugins'), plugins(a),
    h('h2', {}, 'Recent detections'), table([
      {title: 'Time', cell: e => time(e.time_ns)},
      {title: 'Severity', cell: e => (e.event && e.event.severity) || ''},
      {title: 'Title', cell: e => (e.event && e.event.finding_info && e.event.finding_info.title) || ''},
    ], dets.events, {empty: 'No detections in the last 7 days.'}),
    h('h2', {}, 'Event timeline (24 h)'), table([
      {title: 'Time', cell: e => time(e.time_ns)},
      {title: 'Type', cell: e => e.type},
      {title: 'Event', cell: e => h('details', {class: 'drawer'}, h('summary', {}, (e.event && e.event.activity_name) || e.type), h('pre', {}, json(e.event)))},
    ], evs.events, {empty: 'No events in the last 24 h.'}),
    h('h2', {}, 'Tasks'), table(taskColumns, taskReply.tasks, {empty: 'No tasks.'}),
    h('h2', {}, 'Collected files'), table([
      {title: 'SHA-256', cell: t => h('code', {}, t.file.sha256)},
      {title: 'Size', cell: t => bytes(t.file.size)},
      {title: '', cell: t => h('a', {class: 'button', href: `/api/v1/tasks/${t.id}/file`, download: `${t.id}.bin`}, 'Download')},
    ], withFile, {empty: 'No files collected.'}));
}

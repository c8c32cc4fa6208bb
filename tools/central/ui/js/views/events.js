// Event search: time range, agent, type, text; a JSON drawer per event; pivots to the same
// process, its parent and its file hash; the process tree of a process event.
import {h, replace, table, field} from '../dom.js';
import {get} from '../api.js';
import {time, json} from '../format.js';
import {procOf} from '../proctree.js';

const TYPES = ['', 'process', 'network', 'file', 'detection', 'action', 'status'];

function summary(ev) {
  const e = ev.event || {};
  const p = procOf(ev);
  if (e.finding_info) return e.finding_info.title || '';
  if (p) return p.cmd_line || (p.file && p.file.path) || '';
  if (e.file) return e.file.path || '';
  return e.activity_name || e.class_name || '';
}

function pivots(ev) {
  const p = procOf(ev);
  if (!p) return null;
  const link = (label, text) => h('a', {class: 'pivot', href: `#/events?${new URLSearchParams({agent: ev.agent_id, text: String(text), since: '24h'})}`}, label);
  const hash = p.file && p.file.hashes && p.file.hashes[0] && p.file.hashes[0].value;
  return h('span', {class: 'pivots'},
    link('same process', p.cmd_line || p.pid), ' ',
    p.parent_process && p.parent_process.cmd_line ? link('parent', p.parent_process.cmd_line) : null, ' ',
    hash ? link('same hash', hash) : null, ' ',
    h('a', {class: 'pivot tree-link', href: `#/events?${new URLSearchParams({agent: ev.agent_id, tree: String(ev.id),
      at: String(ev.time_ns), since: '24h'})}`}, 'process tree'));
}

// One process of the tree the server built (GET /api/v1/process_tree): pid, command line,
// a badge per detection of that process, a link to the process's own tree.
function node(n, agent, cls) {
  const badges = (n.detections || []).map(d => h('span', {class: 'badge', title: d.title || ''},
    `detection${d.severity ? ` (${d.severity})` : ''}`));
  const label = n.event_id ? h('a', {href: `#/events?${new URLSearchParams({agent, tree: String(n.event_id),
    at: String(n.time_ns), since: '24h'})}`}, `pid ${n.pid}`) : h('code', {}, `pid ${n.pid}`);
  return h('li', {class: cls}, label, ' ', h('span', {class: 'cmd'}, n.cmd_line || ''), ' ', badges);
}

async function tree(el, agent, id, at) {
  let t;
  try {
    t = await get('/api/v1/process_tree', at ? {agent, event: id, time_ns: at} : {agent, event: id});
  } catch (e) {
    return replace(el, h('p', {class: 'error'}, e.message));
  }
  const self = node(t.self, agent, 'self');
  self.appendChild(h('ul', {}, t.children.map(c => node(c, agent, 'proc child'))));
  replace(el, h('h2', {}, 'Process tree'), h('ul', {class: 'tree', id: 'proc-tree'},
    t.ancestors.map(a => node(a, agent, 'proc ancestor')), self));
}

export async function events(el, params) {
  const inputs = {
    since: h('input', {id: 'ev-since', value: params.get('since') || '1h', size: 10}),
    until: h('input', {id: 'ev-until', value: params.get('until') || '', size: 10}),
    agent: h('input', {id: 'ev-agent', value: params.get('agent') || '', size: 36}),
    type: h('select', {id: 'ev-type'}, TYPES.map(t => h('option', {value: t, selected: t === (params.get('type') || '')}, t || 'any type'))),
    text: h('input', {id: 'ev-text', type: 'search', value: params.get('text') || '', size: 30}),
  };
  const form = h('form', {class: 'filters'}, field('Since', inputs.since), field('Until', inputs.until),
    field('Agent', inputs.agent), field('Type', inputs.type), field('Text', inputs.text), h('button', {type: 'submit'}, 'Search'));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    const p = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.value.trim()]).filter(([, v]) => v));
    location.hash = `#/events?${new URLSearchParams(p)}`;
  });
  const treeBox = h('div', {});
  const query = {limit: '200'};
  for (const k of ['since', 'until', 'agent', 'type', 'text']) if (params.get(k)) query[k] = params.get(k);
  if (!query.since) query.since = '1h';
  const reply = await get('/api/v1/events', query);
  replace(el, h('h1', {}, 'Event search'), form, treeBox, table([
    {title: 'Time', cell: e => time(e.time_ns)},
    {title: 'Agent', cell: e => h('a', {href: `#/agents/${encodeURIComponent(e.agent_id)}`}, e.agent_id)},
    {title: 'Type', cell: e => e.type},
    {title: 'Summary', cell: e => h('span', {class: 'summary'}, summary(e))},
    {title: '', cell: e => [pivots(e), h('details', {class: 'drawer'}, h('summary', {}, 'JSON'), h('pre', {}, json(e.event)))]},
  ], reply.events, {empty: 'No events match.'}));
  if (params.get('tree') && params.get('agent')) await tree(treeBox, params.get('agent'), params.get('tree'), params.get('at'));
}

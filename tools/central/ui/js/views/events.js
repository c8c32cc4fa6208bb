// Event search: time range, agent, type, text; a JSON drawer per event; pivots to the same
// process, its parent and its file hash; the process tree of a process event.
import {h, replace, table, field} from '../dom.js';
import {get} from '../api.js';
import {time, json} from '../format.js';
import {buildTree, procOf} from '../proctree.js';

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
    h('a', {class: 'pivot tree-link', href: `#/events?${new URLSearchParams({agent: ev.agent_id, tree: String(ev.id), since: '24h'})}`}, 'process tree'));
}

function node(entry, cls) {
  const badge = entry.event && entry.event.type === 'detection' ? h('span', {class: 'badge'}, 'detection') : null;
  return h('li', {class: cls}, h('code', {}, `pid ${entry.pid}`), ' ', h('span', {class: 'cmd'}, entry.cmd_line || ''), ' ', badge);
}

async function tree(el, agent, id) {
  const reply = await get('/api/v1/events', {agent, type: 'process', since: '24h', limit: '10000'});
  const target = reply.events.find(e => String(e.id) === id);
  if (!target) return replace(el, h('p', {class: 'error'}, 'That event is no longer in the last 24 h.'));
  const dets = await get('/api/v1/events', {agent, type: 'detection', since: '24h', limit: '1000'});
  const t = buildTree(target, reply.events);
  const detected = new Set(dets.events.map(d => { const p = procOf(d); return p && p.pid; }));
  const mark = entry => detected.has(entry.pid) ? [node(entry, 'proc'), h('span', {class: 'badge'}, 'detection')] : node(entry, 'proc');
  replace(el, h('h2', {}, 'Process tree'), h('ul', {class: 'tree', id: 'proc-tree'},
    t.ancestors.map(a => mark(a)),
    h('li', {class: 'self'}, h('strong', {}, `pid ${t.self.pid} `), h('span', {class: 'cmd'}, t.self.cmd_line || ''),
      detected.has(t.self.pid) ? h('span', {class: 'badge'}, 'detection') : null,
      h('ul', {}, t.children.map(c => mark(c))))));
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
  if (params.get('tree') && params.get('agent')) await tree(treeBox, params.get('agent'), params.get('tree'));
}

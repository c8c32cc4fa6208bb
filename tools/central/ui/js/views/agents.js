// Agents: server-side paging, search and filters (incl. operators' tags); bulk select -> task;
// CSV of the filter.
import {h, replace, table, field} from '../dom.js';
import {get, can} from '../api.js';
import {agentState, ago, time} from '../format.js';
import {taskDialog} from './response.js';

const PAGE = 50;

function isoCell(a) {
  const iso = a.isolation;
  if (!iso || !iso.isolated) return 'no';
  const until = iso.expires_ms ? ` until ${time(BigInt(iso.expires_ms) * 1000000n)}` : '';
  return h('span', {class: 'state isolated'}, `isolated since ${time(BigInt(iso.started_ms || 0) * 1000000n)}` +
    ` by ${iso.origin || '?'}${until}`);
}

function failedPlugins(a) {
  const p = a.plugins && typeof a.plugins === 'object' ? a.plugins : {};
  return Object.entries(p).filter(([, v]) => v && v.state === 'failed').map(([k]) => k).join(', ');
}

export async function agents(el, params) {
  const q = params.get('q') || '', state = params.get('state') || '', isolated = params.get('isolated') || '';
  const tag = params.get('tag') || '';
  const offset = Number(params.get('offset') || 0);
  const filter = {q, state, isolated, tag};
  const query = Object.fromEntries(Object.entries(filter).filter(([, v]) => v));
  const reply = await get('/api/v1/agents', {...query, offset: String(offset), limit: String(PAGE)});
  const selected = new Set();

  const search = h('input', {id: 'agent-search', type: 'search', value: q, placeholder: 'host, id, OS, version, IP, note'});
  const tagInput = h('input', {id: 'agent-tag', type: 'search', value: tag, placeholder: 'one tag'});
  const stateSel = h('select', {id: 'agent-state'}, ['', 'online', 'stale', 'offline'].map(s =>
    h('option', {value: s, selected: s === state}, s || 'any state')));
  const isoSel = h('select', {id: 'agent-isolated'}, [['', 'isolated or not'], ['true', 'isolated'], ['false', 'not isolated']]
    .map(([v, t]) => h('option', {value: v, selected: v === isolated}, t)));
  const go = (extra = {}) => {
    const p = new URLSearchParams(Object.fromEntries(Object.entries({
      q: search.value.trim(), state: stateSel.value, isolated: isoSel.value, tag: tagInput.value.trim(), ...extra})
      .filter(([, v]) => v)));
    location.hash = `#/agents?${p}`;
  };
  const form = h('form', {class: 'filters'}, field('Search', search), field('State', stateSel),
    field('Isolation', isoSel), field('Tag', tagInput), h('button', {type: 'submit'}, 'Filter'),
    h('a', {class: 'button', id: 'agents-csv', href: `/api/v1/agents?${new URLSearchParams({...query, format: 'csv'})}`,
      download: 'vigil-agents.csv'}, 'Export CSV'));
  form.addEventListener('submit', ev => { ev.preventDefault(); go(); });

  const bulk = can('responder') ? h('button', {id: 'bulk-task', on: {click: () => {
    const chosen = reply.agents.filter(a => selected.has(a.agent_id));
    if (chosen.length) taskDialog(chosen);
  }}}, 'Task for selected…') : null;
  const check = a => {
    const box = h('input', {type: 'checkbox', title: 'select'});
    box.addEventListener('change', () => box.checked ? selected.add(a.agent_id) : selected.delete(a.agent_id));
    return box;
  };
  const cols = [
    ...(can('responder') ? [{title: '', cell: check}] : []),
    {title: 'Host', cell: a => h('a', {class: 'hostname', href: `#/agents/${encodeURIComponent(a.agent_id)}`}, a.hostname || a.agent_id)},
    {title: 'State', cell: a => h('span', {class: `state ${agentState(a)}`}, agentState(a))},
    {title: 'Last seen', cell: a => h('span', {title: time(a.last_seen_ns)}, ago(a.last_seen_ns))},
    {title: 'OS / kernel', cell: a => `${a.os || ''} ${a.kernel || ''}`},
    {title: 'Version', cell: a => a.agent_version || ''},
    {title: 'Isolation', cell: isoCell},
    {title: 'Tags', cell: a => (a.tags || []).map(t => h('a', {class: 'tag', href: `#/agents?${new URLSearchParams({tag: t})}`}, t))},
    {title: 'Failed plugins', cell: failedPlugins},
    {title: 'Agent id', cell: a => h('code', {}, a.agent_id)},
  ];
  const pager = h('div', {class: 'pager'},
    h('button', {disabled: offset === 0, on: {click: () => go({offset: String(Math.max(0, offset - PAGE))})}}, '‹ Previous'),
    ` ${reply.total ? offset + 1 : 0}–${offset + reply.agents.length} of ${reply.total} `,
    h('button', {disabled: offset + PAGE >= reply.total, on: {click: () => go({offset: String(offset + PAGE)})}}, 'Next ›'));
  replace(el, h('h1', {}, 'Agents'), form, bulk, table(cols, reply.agents, {empty: 'No agent matches.'}), pager);
}

// Detections of the fleet, newest first, with links to the agent, the event search and the
// process tree.
import {h, replace, table, field} from '../dom.js';
import {get} from '../api.js';
import {time} from '../format.js';
import {procOf} from '../proctree.js';

export async function detections(el, params) {
  const since = params.get('since') || '24h';
  const reply = await get('/api/v1/events', {type: 'detection', since, limit: '500'});
  const sinceInput = h('input', {id: 'det-since', value: since, size: 8});
  const form = h('form', {class: 'filters'}, field('Since', sinceInput), h('button', {type: 'submit'}, 'Show'));
  form.addEventListener('submit', ev => { ev.preventDefault(); location.hash = `#/detections?since=${encodeURIComponent(sinceInput.value)}`; });
  replace(el, h('h1', {}, 'Detections'), form, table([
    {title: 'Time', cell: d => time(d.time_ns)},
    {title: 'Severity', cell: d => h('span', {class: `sev ${(d.event && d.event.severity) || ''}`}, (d.event && d.event.severity) || '')},
    {title: 'Title', cell: d => (d.event && d.event.finding_info && d.event.finding_info.title) || ''},
    {title: 'Rule', cell: d => (d.event && d.event.finding_info && d.event.finding_info.analytic && d.event.finding_info.analytic.name) || ''},
    {title: 'Agent', cell: d => h('a', {href: `#/agents/${encodeURIComponent(d.agent_id)}`}, d.agent_id)},
    {title: 'Process', cell: d => { const p = procOf(d); return p ? h('span', {class: 'cmd'}, p.cmd_line || '') : ''; }},
  ], reply.events, {empty: 'No detections in this period.'}));
}

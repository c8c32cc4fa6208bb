// Detections triage: new -> acknowledged -> closed (with a reason), assignee and note, for one
// or many at once; each detection's history of who changed what.
import {h, replace, table, field} from '../dom.js';
import {get, post, can} from '../api.js';
import {time} from '../format.js';
import {procOf} from '../proctree.js';

const STATUSES = ['new', 'acknowledged', 'closed'];

function history(d) {
  if (!d.history || !d.history.length) return null;
  return h('details', {class: 'history'}, h('summary', {}, `${d.history.length} change(s)`),
    h('ul', {}, d.history.map(t => h('li', {}, `${time(t.time_ns)} ${t.by}: ${t.status}`,
      t.assignee ? `, assigned to ${t.assignee}` : '', t.reason ? `, reason: ${t.reason}` : '',
      t.note ? `, note: ${t.note}` : ''))));
}

function triageForm(selected, reload) {
  const status = h('select', {id: 'triage-status'}, STATUSES.map(s => h('option', {value: s}, s)));
  const assignee = h('input', {id: 'triage-assignee', size: 16});
  const reason = h('input', {id: 'triage-reason', size: 30});
  const note = h('input', {id: 'triage-note', size: 30});
  const error = h('span', {class: 'error', id: 'triage-error'});
  const form = h('form', {class: 'filters', id: 'triage-form'}, field('Set status', status), field('Assignee', assignee),
    field('Reason (needed to close)', reason), field('Note', note), h('button', {type: 'submit', id: 'triage-submit'}, 'Apply to selected'), error);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    try {
      if (!selected.size) throw new Error('select detections first');
      await post('/api/v1/detections/triage', {event_ids: [...selected], status: status.value,
        assignee: assignee.value.trim(), reason: reason.value.trim(), note: note.value.trim()});
      reload();
    } catch (e) {
      replace(error, e.message);
    }
  });
  return form;
}

export async function detections(el, params) {
  const since = params.get('since') || '24h', status = params.get('status') || '';
  const query = {since, limit: '500', history: 'true'};
  if (status) query.status = status;
  const reply = await get('/api/v1/detections', query);
  const sinceInput = h('input', {id: 'det-since', value: since, size: 8});
  const statusSel = h('select', {id: 'det-status'}, ['', ...STATUSES].map(s => h('option', {value: s, selected: s === status}, s || 'any status')));
  const filter = h('form', {class: 'filters'}, field('Since', sinceInput), field('Status', statusSel), h('button', {type: 'submit'}, 'Show'));
  const go = () => { location.hash = `#/detections?${new URLSearchParams({since: sinceInput.value, ...(statusSel.value ? {status: statusSel.value} : {})})}`; };
  filter.addEventListener('submit', ev => { ev.preventDefault(); go(); });
  const selected = new Set();
  const check = d => {
    const box = h('input', {type: 'checkbox', class: 'det-select', title: 'select'});
    box.addEventListener('change', () => box.checked ? selected.add(d.id) : selected.delete(d.id));
    return box;
  };
  const ev = d => d.event || {};
  const info = d => ev(d).finding_info || {};
  replace(el, h('h1', {}, 'Detections'), filter, can('responder') ? triageForm(selected, () => detections(el, params)) : null, table([
    ...(can('responder') ? [{title: '', cell: check}] : []),
    {title: 'Time', cell: d => time(d.time_ns)},
    {title: 'Severity', cell: d => ev(d).severity || ''},
    {title: 'Title', cell: d => info(d).title || ''},
    {title: 'Rule', cell: d => (info(d).analytic && info(d).analytic.name) || ''},
    {title: 'Agent', cell: d => h('a', {href: `#/agents/${encodeURIComponent(d.agent_id)}`}, d.agent_id)},
    {title: 'Process', cell: d => { const p = procOf(d); return p ? h('span', {class: 'cmd'}, p.cmd_line || '') : ''; }},
    {title: 'Status', cell: d => h('span', {class: `state triage-${d.triage.status}`}, d.triage.status)},
    {title: 'Assignee', cell: d => d.triage.assignee},
    {title: 'History', cell: history},
  ], reply.detections, {empty: 'No detections match.'}));
}

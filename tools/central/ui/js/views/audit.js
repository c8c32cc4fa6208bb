// The audit log (admins): logins, tasks, downloads, refusals; newest first as the server sends it.
import {h, replace, table, field} from '../dom.js';
import {get} from '../api.js';
import {time} from '../format.js';

export async function audit(el, params) {
  const query = {limit: '500', since: params.get('since') || '7d'};
  if (params.get('operator')) query.operator = params.get('operator');
  const reply = await get('/api/v1/audit', query);
  const who = h('input', {id: 'audit-operator', value: params.get('operator') || ''});
  const form = h('form', {class: 'filters'}, field('Operator', who), h('button', {type: 'submit'}, 'Filter'));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    location.hash = `#/audit?${new URLSearchParams(who.value ? {operator: who.value} : {})}`;
  });
  replace(el, h('h1', {}, 'Audit log'), form, table([
    {title: 'Time', cell: a => time(a.time_ns)},
    {title: 'Actor', cell: a => `${a.actor} (${a.role})`},
    {title: 'From', cell: a => a.source},
    {title: 'Action', cell: a => a.action},
    {title: 'Target', cell: a => a.target},
    {title: 'Detail', cell: a => a.detail},
    {title: 'Outcome', cell: a => h('span', {class: a.outcome === 'ok' ? 'state done' : 'state error'}, a.outcome)},
  ], reply.audit, {empty: 'No audit entries.'}));
}

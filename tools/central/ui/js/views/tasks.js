// Response: the task list and one task's view (result, output and the agent's error, polled
// until the task is final).
import {h, replace, table} from '../dom.js';
import {get} from '../api.js';
import {time, json, bytes} from '../format.js';

const FINAL = new Set(['done', 'error', 'expired', 'cancelled']);

export const taskColumns = [
  {title: 'Task', cell: t => h('a', {href: `#/tasks/${t.id}`}, t.type)},
  {title: 'Agent', cell: t => h('a', {href: `#/agents/${encodeURIComponent(t.agent_id)}`}, t.agent_id)},
  {title: 'State', cell: t => h('span', {class: `state ${t.state}`}, t.state)},
  {title: 'Error', cell: t => t.error || ''},
  {title: 'By', cell: t => t.created_by || ''},
  {title: 'Created', cell: t => time(t.created_ns)},
];

export async function tasks(el, params) {
  const query = {limit: '200'};
  if (params.get('agent')) query.agent = params.get('agent');
  const reply = await get('/api/v1/tasks', query);
  replace(el, h('h1', {}, 'Response tasks'),
    h('p', {}, 'Start an action from an agent\u2019s page or from the agents list (bulk).'),
    table(taskColumns, reply.tasks, {empty: 'No tasks yet.'}));
}

function output(result) {
  if (!result || typeof result !== 'object') return null;
  const parts = [];
  for (const key of ['stdout', 'stderr', 'output']) {
    if (typeof result[key] === 'string' && result[key]) parts.push(h('h3', {}, key), h('pre', {class: key}, result[key]));
  }
  return parts;
}

export async function taskDetail(el, id) {
  const t = await get(`/api/v1/tasks/${encodeURIComponent(id)}`);
  const err = t.error || (t.result && t.result.error);
  replace(el,
    h('h1', {}, `Task ${t.type}`),
    h('dl', {class: 'facts'},
      h('dt', {}, 'State'), h('dd', {}, h('span', {class: `state ${t.state}`, id: 'task-state'}, t.state)),
      h('dt', {}, 'Agent'), h('dd', {}, h('a', {href: `#/agents/${encodeURIComponent(t.agent_id)}`}, t.agent_id)),
      h('dt', {}, 'Created'), h('dd', {}, `${time(t.created_ns)} by ${t.created_by || '?'}`),
      h('dt', {}, 'Completed'), h('dd', {}, time(t.completed_ns)),
      h('dt', {}, 'Arguments'), h('dd', {}, h('pre', {}, json(t.args)))),
    err ? h('div', {class: 'error', id: 'task-error-text'}, h('strong', {}, 'Agent error: '), String(err)) : null,
    t.file ? h('p', {id: 'task-file'}, `File ${bytes(t.file.size)}, SHA-256 ${t.file.sha256} `,
      h('a', {class: 'button', id: 'task-download', href: `/api/v1/tasks/${t.id}/file`, download: `${t.id}.bin`}, 'Download')) : null,
    output(t.result),
    h('h3', {}, 'Result'), h('pre', {id: 'task-result'}, json(t.result)));
  if (!FINAL.has(t.state)) {
    setTimeout(() => { if (el.isConnected) taskDetail(el, id).catch(() => {}); }, 1500);
  }
}

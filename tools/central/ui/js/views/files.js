// Files collected by get_file tasks: SHA-256, size, agent, task; downloaded as attachments
// (the server sends application/octet-stream; nothing is ever shown inline).
import {h, replace, table} from '../dom.js';
import {get} from '../api.js';
import {bytes, time} from '../format.js';

export async function files(el) {
  const reply = await get('/api/v1/tasks', {limit: '1000'});
  const withFile = reply.tasks.filter(t => t.file);
  replace(el, h('h1', {}, 'Collected files'), table([
    {title: 'Path', cell: t => (t.args && t.args.path) || ''},
    {title: 'SHA-256', cell: t => h('code', {}, t.file.sha256)},
    {title: 'Size', cell: t => bytes(t.file.size)},
    {title: 'Agent', cell: t => h('a', {href: `#/agents/${encodeURIComponent(t.agent_id)}`}, t.agent_id)},
    {title: 'Task', cell: t => h('a', {href: `#/tasks/${t.id}`}, t.id)},
    {title: 'Collected', cell: t => time(t.completed_ns)},
    {title: '', cell: t => h('a', {class: 'button', href: `/api/v1/tasks/${t.id}/file`, download: `${t.id}.bin`}, 'Download')},
  ], withFile, {empty: 'No files collected yet.'}));
}

// Response actions: one dialog for every task type. Destructive ones need the target's host
// name typed again and a reason (both checked here; the reason goes to the audit log).
import {h, replace, field} from '../dom.js';
import {post, can} from '../api.js';

// type -> {label, role, destructive, fields: [[name, label, kind]]}
const TYPES = {
  ping: {label: 'Ping', role: 'responder', fields: []},
  get_file: {label: 'Get file', role: 'responder', fields: [['path', 'Absolute path', 'text']]},
  delete_file: {label: 'Delete file', role: 'responder', destructive: true,
    fields: [['path', 'Absolute path', 'text'], ['sha256', 'Expected SHA-256 (optional)', 'text']]},
  terminate_process: {label: 'Terminate process', role: 'responder', destructive: true,
    fields: [['pid', 'PID', 'number'], ['start_time_ns', 'Start time ns (optional)', 'number']]},
  run_process: {label: 'Run process', role: 'admin', destructive: true,
    fields: [['executable', 'Executable (absolute)', 'text'], ['args', 'Arguments (one per line)', 'lines'],
      ['cwd', 'Working directory (optional)', 'text']]},
  isolate: {label: 'Isolate from the network', role: 'responder', destructive: true,
    fields: [['timeout_s', 'Release automatically after (s)', 'number']]},
  release: {label: 'Release isolation', role: 'responder', fields: []},
  ioc_scan: {label: 'IOC scan (upload .ioc)', role: 'responder', fields: [['ioc_xml', 'OpenIOC file', 'file']]},
  scan_file: {label: 'Scan file', role: 'responder', fields: [['path', 'Absolute path', 'text']]},
  set_prevention_list: {label: 'Set prevention list', role: 'responder', destructive: true,
    fields: [['sha256', 'SHA-256 hashes (one per line; empty clears)', 'lines']]},
};

export function taskTypes() {
  return Object.entries(TYPES).filter(([, t]) => can(t.role));
}

function input(kind) {
  if (kind === 'lines') return h('textarea', {rows: 4, cols: 50});
  if (kind === 'file') return h('input', {type: 'file', accept: '.ioc,.xml'});
  return h('input', {type: kind === 'number' ? 'number' : 'text', size: 50});
}

async function readArgs(spec, inputs) {
  const args = {};
  for (const [name, , kind] of spec.fields) {
    const el = inputs[name];
    if (kind === 'file') {
      if (!el.files.length) throw new Error('choose a file');
      args[name] = [await el.files[0].text()];
    } else if (kind === 'lines') {
      const lines = el.value.split('\n').map(s => s.trim()).filter(Boolean);
      if (lines.length || name === 'sha256') args[name] = lines;
    } else if (el.value.trim() !== '') {
      args[name] = kind === 'number' ? Number(el.value) : el.value.trim();
    }
  }
  return args;
}

// targets: agent records ({agent_id, hostname}); preset: {type, args}
export function taskDialog(targets, preset = {}) {
  const dlg = h('dialog', {id: 'task-dialog'});
  const typeSel = h('select', {id: 'task-type'}, taskTypes().map(([k, t]) =>
    h('option', {value: k, selected: k === preset.type}, t.label)));
  const body = h('div', {});
  const status = h('p', {class: 'error', id: 'task-error'});
  let inputs = {};
  const confirm = h('input', {id: 'task-confirm', size: 40});
  const reason = h('input', {id: 'task-reason', size: 50});
  // One host: its name; several: "N hosts" (so a bulk action is confirmed for what it is).
  const expected = targets.length === 1 ? targets[0].hostname : `${targets.length} hosts`;
  const render = () => {
    const spec = TYPES[typeSel.value];
    inputs = Object.fromEntries(spec.fields.map(([name, , kind]) => [name, input(kind)]));
    for (const [k, v] of Object.entries(preset.args || {})) if (inputs[k]) inputs[k].value = v;
    replace(body, spec.fields.map(([name, label]) => field(label, inputs[name])),
      spec.destructive ? [h('p', {class: 'warn'}, 'This action changes the host. Type the host name to confirm.'),
        field(`Type "${expected}"`, confirm)] : null,
      field('Reason (kept in the audit log)', reason));
  };
  typeSel.addEventListener('change', render);
  render();
  const submit = async ev => {
    ev.preventDefault();
    const spec = TYPES[typeSel.value];
    try {
      if (spec.destructive && confirm.value !== expected) throw new Error(`type "${expected}" to confirm`);
      if (spec.destructive && !reason.value.trim()) throw new Error('a reason is required');
      const args = await readArgs(spec, inputs);
      const ids = [];
      for (const t of targets) {
        const r = await post('/api/v1/tasks', {agent_id: t.agent_id, type: typeSel.value, args, reason: reason.value.trim()});
        ids.push(r.id);
      }
      dlg.close();
      dlg.remove();
      location.hash = ids.length === 1 ? `#/tasks/${ids[0]}` : '#/tasks';
    } catch (e) {
      replace(status, e.message);
    }
  };
  const form = h('form', {method: 'dialog'}, h('h2', {}, `New task for ${targets.length === 1 ? targets[0].hostname : `${targets.length} agents`}`),
    field('Action', typeSel), body, status,
    h('div', {class: 'actions'}, h('button', {type: 'submit', id: 'task-submit'}, 'Create task'),
      h('button', {type: 'button', on: {click: () => { dlg.close(); dlg.remove(); }}}, 'Cancel')));
  form.addEventListener('submit', submit);
  dlg.appendChild(form);
  document.body.appendChild(dlg);
  dlg.showModal();
  return dlg;
}

// The console shell: login, navigation bar and a hash router (#/agents, #/agents/<id>, ...).
import {h, replace} from './dom.js';
import * as api from './api.js';
import {zone, setZone} from './format.js';
import {dashboard} from './views/dashboard.js';
import {agents} from './views/agents.js';
import {agentDetail} from './views/agent.js';
import {events} from './views/events.js';
import {detections} from './views/detections.js';
import {tasks, taskDetail} from './views/tasks.js';
import {files} from './views/files.js';
import {audit} from './views/audit.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

const ROUTES = [
  {path: 'dashboard', title: 'Dashboard', view: dashboard},
  {path: 'agents', title: 'Agents', view: agents},
  {path: 'detections', title: 'Detections', view: detections},
  {path: 'events', title: 'Events', view: events},
  {path: 'tasks', title: 'Response', view: tasks},
  {path: 'files', title: 'Files', view: files},
  {path: 'audit', title: 'Audit log', view: audit, role: 'admin'},
];

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart, query = ''] = raw.split('?');
  const parts = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  return {parts, params: new URLSearchParams(query)};
}

function renderNav(active) {
  replace(nav, ROUTES.filter(r => !r.role || api.can(r.role)).map(r =>
    h('a', {href: `#/${r.path}`, class: r.path === active ? 'active' : ''}, r.title)));
  const s = api.currentSession();
  const zoneInput = h('input', {id: 'zone', value: zone(), size: 16, title: 'Time zone for every time shown'});
  zoneInput.addEventListener('change', () => {
    try { setZone(zoneInput.value.trim()); route(); } catch { zoneInput.value = zone(); }
  });
  replace(who, zoneInput, ' ', h('span', {id: 'operator'}, `${s.operator} (${s.role})`), ' ',
    h('button', {id: 'logout', on: {click: async () => { await api.logout(); showLogin(); }}}, 'Log out'));
}

async function route() {
  if (!api.currentSession()) return showLogin();
  const {parts, params} = parseHash();
  const [first = 'dashboard', id] = parts;
  renderNav(first);
  const target = h('section', {class: 'view'});
  replace(main, target);
  try {
    if (first === 'agents' && id) return await agentDetail(target, id);
    if (first === 'tasks' && id) return await taskDetail(target, id);
    const r = ROUTES.find(x => x.path === first) || ROUTES[0];
    await r.view(target, params);
  } catch (e) {
    replace(target, h('p', {class: 'error'}, `Could not load this page: ${e.message}`));
  }
}

function showLogin(message) {
  replace(nav);
  replace(who);
  const token = h('input', {id: 'token', type: 'password', autocomplete: 'off', size: 48});
  const status = h('p', {class: 'error', id: 'login-error'}, message || '');
  const form = h('form', {id: 'login', class: 'card'},
    h('h1', {}, 'Sign in to Vigil'),
    h('label', {class: 'field'}, h('span', {}, 'Operator token'), token),
    h('button', {type: 'submit'}, 'Sign in'), status);
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    try {
      await api.login(token.value.trim());
      token.value = '';
      if (!location.hash || location.hash === '#/') location.hash = '#/dashboard';
      route();
    } catch (e) {
      replace(status, e.message);
    }
  });
  replace(main, form);
  token.focus();
}

api.setLoggedOutHandler(() => showLogin('Your session ended; sign in again.'));
window.addEventListener('hashchange', route);
api.resume().then(route);

// The console's only way to the server: same-origin fetch with the session cookie, the CSRF
// token on every state-changing call, JSON in and out. A 401 sends the operator to the login.
let session = null;  // {operator, role, csrf_token, expires_ns}
let onLoggedOut = () => {};

export function currentSession() { return session; }
export function setLoggedOutHandler(fn) { onLoggedOut = fn; }

const ROLE_RANK = {viewer: 1, responder: 2, admin: 3};
export function can(role) {
  return !!session && ROLE_RANK[session.role] >= ROLE_RANK[role];
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function call(method, path, body) {
  const headers = {Accept: 'application/json'};
  const init = {method, headers, credentials: 'same-origin', cache: 'no-store'};
  if (method !== 'GET' && method !== 'HEAD') {
    if (session) headers['X-Vigil-CSRF'] = session.csrf_token;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  const resp = await fetch(path, init);
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (resp.status === 401 && path !== '/api/v1/console/session') {
    session = null;
    onLoggedOut();
  }
  if (!resp.ok) throw new ApiError(resp.status, (data && data.error) || `${resp.status} ${resp.statusText}`);
  return data;
}

export const get = (path, params) => call('GET', params ? `${path}?${new URLSearchParams(params)}` : path);
export const post = (path, body) => call('POST', path, body ?? {});

export async function resume() {
  try {
    session = await call('GET', '/api/v1/console/session');
  } catch {
    session = null;
  }
  return session;
}

export async function login(token) {
  session = await call('POST', '/api/v1/console/session', {token});
  return session;
}

export async function logout() {
  try { await call('DELETE', '/api/v1/console/session'); } finally { session = null; }
}

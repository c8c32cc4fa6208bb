// The console scenario in Debian's chromium (playwright-core, executablePath /usr/bin/chromium).
// Environment: CONSOLE_URL, ADMIN_TOKEN, VIEWER_TOKEN, AGENT_ID, XSS_HOST, MARKER, VICTIM
// (a file on the agent to fetch and then delete), SHOTS (screenshot folder), PROFILE_DIR.
import {chromium} from 'playwright-core';
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import assert from 'node:assert/strict';

const env = name => {
  const v = process.env[name];
  if (!v) throw new Error(`missing ${name}`);
  return v;
};
const URL = env('CONSOLE_URL'), SHOTS = env('SHOTS'), AGENT = env('AGENT_ID');
const XSS_HOST = env('XSS_HOST'), MARKER = env('MARKER'), VICTIM = env('VICTIM');
const step = msg => console.log(`[console.mjs] ${msg}`);

const browser = await chromium.launchPersistentContext(env('PROFILE_DIR'), {
  executablePath: '/usr/bin/chromium', headless: true, ignoreHTTPSErrors: true, acceptDownloads: true,
  viewport: {width: 1400, height: 900},
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const dialogs = [], pageErrors = [];
const watch = page => {
  page.on('dialog', d => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('pageerror', e => pageErrors.push(String(e)));
};
const shot = (page, name) => page.screenshot({path: `${SHOTS}/${name}.png`, fullPage: true});
const noScriptRan = async (page, where) => {
  const state = await page.evaluate(() => ({xss: window.__xss, imgs: document.querySelectorAll('img').length,
    scripts: document.querySelectorAll('script').length}));
  assert.equal(state.xss, undefined, `${where}: a payload ran (window.__xss = ${state.xss})`);
  assert.equal(state.imgs, 0, `${where}: an <img> element was created from data`);
  assert.equal(state.scripts, 1, `${where}: a <script> element was created from data`);
  assert.deepEqual(dialogs, [], `${where}: a dialog opened`);
};

try {
  const page = browser.pages()[0] || await browser.newPage();
  watch(page);
  await headers(page);
  await loginAs(page, env('ADMIN_TOKEN'));
  await page.waitForSelector('#fleet');
  await shot(page, '01-dashboard');
  await agentsScreen(page);
  await agentScreen(page);
  await eventsScreen(page);
  await detectionsScreen(page);
  await responseScreens(page);
  await csrf(page);
  await auditScreen(page);
  await logout(page);
  await viewer();
  assert.deepEqual(pageErrors, [], 'JavaScript errors in the console');
  step('PASS');
} finally {
  await browser.close();
}

async function headers(page) {
  const resp = await page.goto(`${URL}/ui/`);
  const h = resp.headers();
  assert.match(h['content-security-policy'], /default-src 'self'/);
  assert.match(h['content-security-policy'], /script-src 'self'/);
  assert.doesNotMatch(h['content-security-policy'], /unsafe-inline|unsafe-eval/);
  assert.equal(h['x-frame-options'], 'DENY');
  assert.equal(h['referrer-policy'], 'no-referrer');
  assert.equal(h['x-content-type-options'], 'nosniff');
  const js = await page.request.get(`${URL}/ui/js/app.js`);
  assert.match(js.headers()['content-type'], /^text\/javascript/);
  step('headers: CSP, X-Frame-Options, Referrer-Policy, nosniff, text/javascript');
}

async function loginAs(page, token) {
  await page.goto(`${URL}/ui/#/dashboard`);
  await page.fill('#token', 'not-a-token-at-all-xxxxxxxx');
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#login-error:has-text("invalid operator token")');
  await page.fill('#token', token);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#operator');
  const cookies = await page.context().cookies(URL);
  const c = cookies.find(x => x.name === '__Host-vigil_session');
  assert.ok(c, 'no session cookie');
  assert.ok(c.secure && c.httpOnly && c.sameSite === 'Strict' && c.path === '/', JSON.stringify(c));
  assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is readable by script');
  step(`logged in as ${await page.textContent('#operator')}`);
}

async function agentsScreen(page) {
  await page.goto(`${URL}/ui/#/agents`);
  const link = page.locator('a.hostname').first();
  await link.waitFor();
  assert.equal(await link.textContent(), XSS_HOST, 'the host name is shown as text');
  await page.fill('#agent-search', 'no-such-host-anywhere');
  await page.click('form.filters button[type=submit]');
  await page.waitForSelector('p.empty:has-text("No agent matches")');
  await page.fill('#agent-search', AGENT.slice(0, 8));
  await page.selectOption('#agent-state', 'online');
  await page.click('form.filters button[type=submit]');
  await page.waitForSelector('a.hostname');
  assert.match(page.url(), /state=online/);
  const csv = await page.request.get(`${URL}/api/v1/agents?format=csv&state=online`);
  assert.match(csv.headers()['content-disposition'], /attachment/);
  assert.ok((await csv.text()).includes(AGENT), 'CSV export lacks the agent');
  await noScriptRan(page, 'agents');
  await shot(page, '02-agents');
  step('agents list: host name as text, search, state filter, CSV');
}

async function agentScreen(page) {
  await page.click('a.hostname');
  await page.waitForSelector('#agent-facts');
  assert.equal(await page.textContent('#agent-title'), XSS_HOST);
  await page.waitForSelector('#response-buttons');
  await noScriptRan(page, 'agent detail');
  await shot(page, '03-agent');
  step('agent detail');
}

async function eventsScreen(page) {
  await page.goto(`${URL}/ui/#/events?${new URLSearchParams({text: 'vigilxss', since: '1h', type: 'process'})}`);
  const cell = page.locator('span.summary').first();
  await cell.waitFor();
  assert.ok((await cell.textContent()).startsWith(MARKER), `summary: ${await cell.textContent()}`);
  await page.locator('a.tree-link').first().click();
  await page.waitForSelector('#proc-tree li.self');
  assert.ok((await page.textContent('#proc-tree li.self')).includes(MARKER));
  await page.locator('details.drawer summary').first().click();
  await noScriptRan(page, 'events');
  await shot(page, '04-events');
  step('event search, JSON drawer, process tree; command line shown as text');
}

async function detectionsScreen(page) {
  await page.goto(`${URL}/ui/#/detections`);
  await page.waitForSelector(`td:has-text("test threat")`);
  await noScriptRan(page, 'detections');
  await shot(page, '05-detections');
  step('detections');
}

async function newTask(page, type, fill) {
  await page.goto(`${URL}/ui/#/agents/${encodeURIComponent(AGENT)}`);
  await page.waitForSelector('#response-buttons');
  await page.click(`.act-${type}`);
  await page.waitForSelector('#task-dialog');
  await fill();
  await page.click('#task-submit');
}

async function responseScreens(page) {
  await newTask(page, 'get_file', () => page.locator('#task-dialog input[type=text]').first().fill(VICTIM));
  await page.waitForSelector('#task-state:has-text("done")', {timeout: 30000});
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#task-download')]);
  const got = readFileSync(await download.path());
  const want = readFileSync(VICTIM);
  assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(want).digest('hex'));
  await shot(page, '06-task-get-file');
  step(`get_file: downloaded ${got.length} bytes, identical`);

  await newTask(page, 'delete_file', async () => {
    await page.locator('#task-dialog input[type=text]').first().fill(VICTIM);
    await page.fill('#task-confirm', 'wrong-host');
    await page.fill('#task-reason', 'console test: remove the evidence copy');
  });
  await page.waitForSelector('#task-error:has-text("to confirm")');
  await shot(page, '07-confirm-refused');
  await page.fill('#task-confirm', XSS_HOST);
  await page.click('#task-submit');
  await page.waitForSelector('#task-state:has-text("done")', {timeout: 30000});
  step('delete_file: wrong host name refused, right one ran');
  await page.goto(`${URL}/ui/#/files`);
  await page.waitForSelector('td code');
  await shot(page, '08-files');
  await page.goto(`${URL}/ui/#/tasks`);
  await page.waitForSelector('td a');
  await shot(page, '09-tasks');
}

async function csrf(page) {
  const status = await page.evaluate(async () => (await fetch('/api/v1/tasks', {method: 'POST',
    headers: {'Content-Type': 'application/json'}, body: JSON.stringify({agent_id: 'x', type: 'ping'})})).status);
  assert.equal(status, 403, 'a POST without X-Vigil-CSRF was not refused');
  const csrfToken = await page.evaluate(async () => (await (await fetch('/api/v1/console/session')).json()).csrf_token);
  const cross = await page.request.post(`${URL}/api/v1/tasks`, {headers: {Origin: 'https://attacker.example',
    'X-Vigil-CSRF': csrfToken, 'Content-Type': 'application/json'}, data: {agent_id: AGENT, type: 'ping'}});
  assert.equal(cross.status(), 403, 'a cross-origin POST was not refused');
  const form = await page.request.post(`${URL}/api/v1/tasks`, {headers: {Origin: URL, 'X-Vigil-CSRF': csrfToken,
    'Content-Type': 'text/plain'}, data: JSON.stringify({agent_id: AGENT, type: 'ping'})});
  // Refused either way: 415 by the server's head check, or 403 by the console's CSRF rule.
  assert.ok([403, 415].includes(form.status()), `a text/plain POST was not refused (${form.status()})`);
  const tasks = await (await page.request.get(`${URL}/api/v1/tasks?agent=${AGENT}`)).json();
  assert.equal(tasks.tasks.filter(t => t.type === 'ping').length, 0, 'a refused POST created a task');
  step(`CSRF: no header 403, foreign Origin 403, simple content type ${form.status()}`);
}

async function auditScreen(page) {
  await page.goto(`${URL}/ui/#/audit`);
  await page.waitForSelector('td:has-text("console.login")');
  await page.waitForSelector('td:has-text("remove the evidence copy")');
  await shot(page, '10-audit');
  step('audit log shows the login and the reason of the delete');
}

async function logout(page) {
  await page.click('#logout');
  await page.waitForSelector('#token');
  const status = await page.evaluate(async () => (await fetch('/api/v1/agents')).status);
  assert.equal(status, 401, 'the session still works after logout');
  step('logout');
}

async function viewer() {
  const page = await browser.newPage();
  watch(page);
  await loginAs(page, env('VIEWER_TOKEN'));
  await page.goto(`${URL}/ui/#/agents/${encodeURIComponent(AGENT)}`);
  await page.waitForSelector('#agent-facts');
  assert.equal(await page.locator('#response-buttons').count(), 0, 'a viewer sees response buttons');
  assert.equal(await page.locator('#nav a:has-text("Audit log")').count(), 0, 'a viewer sees the audit log');
  await shot(page, '11-viewer-agent');
  const status = await page.evaluate(async agent => {
    const s = await (await fetch('/api/v1/console/session')).json();
    return (await fetch('/api/v1/tasks', {method: 'POST', headers: {'Content-Type': 'application/json',
      'X-Vigil-CSRF': s.csrf_token}, body: JSON.stringify({agent_id: agent, type: 'ping'})})).status;
  }, AGENT);
  assert.equal(status, 403, 'the API let a viewer create a task');
  step('viewer: no response buttons, API 403');
  await page.close();
}

// The console scenario in Debian's chromium (playwright-core, executablePath /usr/bin/chromium).
// Environment: CONSOLE_URL, ADMIN_TOKEN, VIEWER_TOKEN, AGENT_ID, XSS_HOST, MARKER, VICTIM
// (a file on the agent to fetch and then delete), SHOTS (screenshot folder), PROFILE_DIR,
// AGENT_NS + NETTOOL + PEER_ADDR + PEER_PORT (the agent's network namespace and a TCP peer
// outside it: reachable unless the agent is isolated).
import {chromium} from 'playwright-core';
import {execFileSync} from 'node:child_process';
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
  // The admin's scenario, one screen after the other in the same page.
  const scenario = [agentsScreen, agentScreen, labelsScreens, eventsScreen, commandTree, detectionsScreen,
    responseScreens, bulkTask, isolateAndRelease, csrf, auditScreen, logout];
  for (const screen of scenario) await screen(page);
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

async function labelsScreens(page) {
  const note = 'owner: payments <b onmouseover=window.__xss=5>team</b>';
  await page.fill('#labels-tags', 'PCI web-tier');
  await page.fill('#labels-note', note);
  await page.click('#labels-save');
  await page.waitForSelector('#labels a.tag:has-text("web-tier")');
  assert.equal(await page.textContent('#agent-note'), note, 'the note is shown as text');
  await page.fill('#labels-tags', 'bad<tag');
  await page.click('#labels-save');
  await page.waitForSelector('#labels-error:has-text("tags")');
  await noScriptRan(page, 'agent labels');
  await shot(page, '03b-agent-labels');
  await page.goto(`${URL}/ui/#/agents?tag=pci`);
  await page.waitForSelector('a.hostname');
  assert.equal(await page.locator('a.hostname').count(), 1);
  assert.ok((await page.textContent('td a.tag')).includes('pci'));
  await page.goto(`${URL}/ui/#/agents?tag=no-such-tag`);
  await page.waitForSelector('p.empty:has-text("No agent matches")');
  await page.goto(`${URL}/ui/#/agents?q=payments`);
  await page.waitForSelector('a.hostname');
  step('labels: tags + note saved from the agent page, bad tag refused, tag filter and note search on the agents page');
}

async function eventsScreen(page) {
  await page.goto(`${URL}/ui/#/events?${new URLSearchParams({text: 'vigilxss', since: '1h', type: 'process'})}`);
  const cell = page.locator('span.summary').first();
  await cell.waitFor();
  assert.ok((await cell.textContent()).startsWith(MARKER), `summary: ${await cell.textContent()}`);
  // The planted process "--index 0" is also the process of the planted detection: its tree
  // (built by the server) carries a detection badge, and its parent (vigild, never stored as
  // a process event) is shown from what the event says about it.
  await page.locator('tr', {hasText: '--index 0'}).locator('a.tree-link').click();
  await page.waitForSelector('#proc-tree li.self');
  assert.ok((await page.textContent('#proc-tree li.self')).includes(`${MARKER} --index 0`));
  await page.waitForSelector('#proc-tree li.self > .badge:has-text("detection")');
  assert.equal(await page.locator('#proc-tree li.ancestor').count(), 1, 'the parent is not shown');
  await page.locator('details.drawer summary').first().click();
  await noScriptRan(page, 'events');
  await shot(page, '04-events');
  step('event search, JSON drawer, server-side process tree with parent and detection badge; command line shown as text');
}

// The tree of a command the test ran (bash parent -> sh child), as the behavior sensor saw it:
// from the child the parent is an ancestor; from the parent the child is a child.
async function commandTree(page) {
  const m = env('TREE_MARKER');
  await page.goto(`${URL}/ui/#/events?${new URLSearchParams({text: `${m}-child`, since: '1h', type: 'process'})}`);
  // The child's own row: its command line (the summary) starts with the shell, not with bash.
  const child = page.locator('tr').filter({has: page.locator('span.summary', {hasText: new RegExp(`^\\S*sh -c : ${m}-child`)})}).first();
  await child.locator('a.tree-link').click();
  await page.waitForSelector(`#proc-tree li.self:has-text("${m}-child")`);
  const parent = page.locator('#proc-tree li.ancestor', {hasText: `${m}-parent`});
  await parent.waitFor();
  await parent.locator('a').first().click();
  await page.waitForSelector(`#proc-tree li.self:has-text("${m}-parent")`);
  await page.waitForSelector(`#proc-tree li.self li.child:has-text("${m}-child")`);
  await noScriptRan(page, 'process tree');
  // The page also lists the agent's recent events (every process on the host): keep the tree only.
  await page.locator('#proc-tree').screenshot({path: `${SHOTS}/04b-process-tree.png`});
  step('process tree of a command the test ran: the parent shell is an ancestor of its child, the child under the parent');
}

async function detectionsScreen(page) {
  await page.goto(`${URL}/ui/#/detections`);
  await page.waitForSelector(`td:has-text("test threat")`);
  await page.locator('input.det-select').first().check();
  await page.selectOption('#triage-status', 'acknowledged');
  await page.fill('#triage-assignee', 'kataedr-test');
  await page.click('#triage-submit');
  await page.waitForSelector('span.triage-acknowledged');
  await page.locator('input.det-select').first().check();
  await page.selectOption('#triage-status', 'closed');
  await page.click('#triage-submit');
  await page.waitForSelector('#triage-error:has-text("reason")');
  await page.fill('#triage-reason', 'console test: planted detection');
  await page.click('#triage-submit');
  await page.waitForSelector('span.triage-closed');
  await page.locator('details.history summary').first().click();
  const hist = await page.textContent('details.history');
  assert.ok(hist.includes('acknowledged') && hist.includes('closed') && hist.includes('planted detection'), hist);
  await noScriptRan(page, 'detections');
  await shot(page, '05-detections');
  step('detections: acknowledged, close refused without a reason, closed with one, history shown');
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
  await newTask(page, 'ioc_scan', async () => {
    await page.setInputFiles('#task-dialog input[type=file]', env('IOC_FILE'));
    await page.fill('#task-dialog textarea', env('IOC_DIR'));
  });
  await page.waitForSelector('#task-state:has-text("done")', {timeout: 60000});
  const result = JSON.parse(await page.textContent('#task-result'));
  assert.ok(result.matches && result.matches.length === 1, `IOC scan result: ${JSON.stringify(result).slice(0, 400)}`);
  assert.ok(JSON.stringify(result.matches[0]).includes('planted.bin'), 'the match does not name the planted file');
  await shot(page, '08-task-ioc-scan');
  step('IOC scan with an uploaded .ioc file: the planted file matched');
  await page.goto(`${URL}/ui/#/files`);
  await page.waitForSelector('td code');
  await shot(page, '09-files');
  await page.goto(`${URL}/ui/#/tasks`);
  await page.waitForSelector('td a');
  await shot(page, '10-tasks');
}

// Bulk: select agents on the agents page (all of this page's, here the one agent) and run a
// task on each.
async function bulkTask(page) {
  await page.goto(`${URL}/ui/#/agents`);
  await page.waitForSelector('a.hostname');
  const boxes = page.locator('td input[type=checkbox]');
  for (let i = 0; i < await boxes.count(); i++) await boxes.nth(i).check();
  await page.click('#bulk-task');
  await page.waitForSelector('#task-dialog');
  await page.selectOption('#task-type', 'ping');
  await page.fill('#task-reason', 'console test: bulk ping');
  await page.click('#task-submit');
  await page.waitForSelector('#task-state:has-text("done")', {timeout: 30000});
  step('bulk select -> ping task done');
}

function peerReachable() {
  try {
    execFileSync('ip', ['netns', 'exec', env('AGENT_NS'), '/usr/bin/python3', env('NETTOOL'), 'connect',
      env('PEER_ADDR'), env('PEER_PORT'), '2'], {stdio: 'ignore'});
    return true;
  } catch {
    return false;
  }
}

// Waits until the agent page (reloaded every second) shows `selector`: the isolation state
// arrives with the agent's next sync.
async function agentPageShows(page, selector, seconds) {
  const url = `${URL}/ui/#/agents/${encodeURIComponent(AGENT)}`;
  for (let i = 0; i < seconds; i++) {
    // The same hash again is no navigation: reload to render the page anew.
    if (page.url() === url) await page.reload();
    else await page.goto(url);
    await page.waitForSelector('#isolation');
    if (await page.locator(selector).count()) return;
    await page.waitForTimeout(1000);
  }
  throw new Error(`agent page never showed ${selector}`);
}

async function isolateAndRelease(page) {
  assert.ok(peerReachable(), 'the peer is not reachable before the isolation');
  await newTask(page, 'isolate', async () => {
    await page.fill('#task-dialog input[type=number]', '600');
    await page.fill('#task-confirm', XSS_HOST);
    await page.fill('#task-reason', 'console test: contain the host');
  });
  await page.waitForSelector('#task-state:has-text("done")', {timeout: 30000});
  assert.equal(peerReachable(), false, 'the agent namespace still reaches the peer while isolated');
  await agentPageShows(page, '#isolation #release', 20);
  const text = await page.textContent('#isolation');
  assert.match(text, /Isolated since .* released automatically/, text);
  await page.goto(`${URL}/ui/#/agents?isolated=true`);
  await page.waitForSelector('span.state.isolated');
  await shot(page, '13-agents-isolated');
  await agentPageShows(page, '#isolation #release', 5);
  await shot(page, '14-agent-isolated');
  await page.click('#release');
  await page.waitForSelector('#task-dialog');
  await page.click('#task-submit');
  await page.waitForSelector('#task-state:has-text("done")', {timeout: 30000});
  assert.ok(peerReachable(), 'the agent namespace is still cut off after the release');
  await agentPageShows(page, '#isolation:has-text("Not isolated")', 20);
  step('isolate with automatic release after 600 s: peer cut off, shown with since/by/until; released: peer reachable');
}

async function csrf(page) {
  const pings = async () => (await (await page.request.get(`${URL}/api/v1/tasks?agent=${AGENT}`)).json())
    .tasks.filter(t => t.type === 'ping').length;
  const before = await pings();  // the bulk ping's
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
  assert.equal(await pings(), before, 'a refused POST created a task');
  step(`CSRF: no header 403, foreign Origin 403, simple content type ${form.status()}`);
}

async function auditScreen(page) {
  await page.goto(`${URL}/ui/#/audit`);
  await page.waitForSelector('td:has-text("console.login")');
  await page.waitForSelector('td:has-text("remove the evidence copy")');
  await page.waitForSelector('td:has-text("detection.triage")');
  await page.waitForSelector('td:has-text("agent.labels")');
  await page.waitForSelector('td:has-text("contain the host")');
  await shot(page, '11-audit');
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
  await shot(page, '12-viewer-agent');
  const status = await page.evaluate(async agent => {
    const s = await (await fetch('/api/v1/console/session')).json();
    return (await fetch('/api/v1/tasks', {method: 'POST', headers: {'Content-Type': 'application/json',
      'X-Vigil-CSRF': s.csrf_token}, body: JSON.stringify({agent_id: agent, type: 'ping'})})).status;
  }, AGENT);
  assert.equal(status, 403, 'the API let a viewer create a task');
  step('viewer: no response buttons, API 403');
  await page.close();
}

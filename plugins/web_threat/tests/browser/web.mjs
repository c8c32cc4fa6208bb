// What a user of Debian's chromium sees behind the web_threat worker (run in
// the client namespace by tests/integration/browser.sh; playwright-core from
// tools/central/tests/browser's package-lock.json, executablePath
// /usr/bin/chromium). Names are mapped to the origin by host resolver rules,
// so every connection goes to 10.9.0.2 and through the redirect.
// Environment: SHOTS (screenshot folder), PROFILE_DIR, NETLOG (path), SPKI
// (base64 SHA-256 of the origin certificate's public key).
import {chromium} from 'playwright-core';
import assert from 'node:assert/strict';

const env = name => {
  const v = process.env[name];
  if (!v) throw new Error(`missing ${name}`);
  return v;
};
const SHOTS = env('SHOTS');
const step = msg => console.log(`[web.mjs] ${msg}`);
const rules = ['ok.test', 'blocked.test', 'shared.test'].map(h => `MAP ${h} 10.9.0.2`).join(', ');

const browser = await chromium.launchPersistentContext(env('PROFILE_DIR'), {
  // The origin's key is trusted by its SPKI hash (not "errors ignored"), so
  // chromium treats its certificate as valid and honours its Alt-Svc.
  executablePath: '/usr/bin/chromium', headless: true,
  viewport: {width: 1000, height: 700},
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--host-resolver-rules=${rules}`,
    '--enable-quic', `--ignore-certificate-errors-spki-list=${env('SPKI')}`, `--log-net-log=${env('NETLOG')}`],
});
const shot = (page, name) => page.screenshot({path: `${SHOTS}/${name}.png`, fullPage: true});

try {
  const page = browser.pages()[0] || await browser.newPage();

  // An allowed site loads with the origin's content (HTTP and HTTPS).
  let r = await page.goto('http://ok.test/good');
  assert.equal(r.status(), 200);
  assert.match(await page.textContent('body'), /origin \/good/);
  await shot(page, 'web-01-allowed-http');
  r = await page.goto('https://ok.test/tls');
  assert.equal(r.status(), 200);
  assert.match(await page.textContent('body'), /origin \/tls/);
  await shot(page, 'web-02-allowed-https');
  step('allowed HTTP and HTTPS loaded');

  // A blocked HTTP URL: the block page (403), self-contained, the URL shown escaped.
  r = await page.goto('http://blocked.test/some/path?q=<b>x</b>');
  assert.equal(r.status(), 403);
  assert.ok(await page.$('#vigil-block-page'), 'no block page element');
  const text = await page.textContent('body');
  assert.match(text, /blocked\.test/);
  assert.equal(await page.$('b'), null, 'markup from the URL was rendered');
  assert.equal(await page.evaluate(() => document.querySelectorAll('script, img, link, iframe').length), 0);
  await shot(page, 'web-03-blocked-http');
  r = await page.goto('http://shared.test/bad/page');
  assert.equal(r.status(), 403);
  assert.ok(await page.$('#vigil-block-page'));
  await shot(page, 'web-04-blocked-url-path');
  step('blocked HTTP host and URL path: block page');

  // A blocked HTTPS site: the TLS alert, a stable browser error.
  let error = '';
  try {
    await page.goto('https://blocked.test/');
  } catch (e) {
    error = String(e);
  }
  assert.match(error, /net::ERR_SSL_UNRECOGNIZED_NAME_ALERT/);
  await shot(page, 'web-05-blocked-https');
  step('blocked HTTPS: ERR_SSL_UNRECOGNIZED_NAME_ALERT');

  // QUIC: the origin advertises h3 (Alt-Svc); the second load may try it.
  for (const n of [1, 2]) {
    r = await page.goto(`https://ok.test/quic${n}`);
    assert.equal(r.status(), 200);
    assert.match(await page.textContent('body'), new RegExp(`origin /quic${n}`));
  }
  await shot(page, 'web-06-after-alt-svc');
  step('loaded twice after Alt-Svc h3');
  step('PASS');
} finally {
  await browser.close();
}

// Recording from the microphone: Chromium plays visit A as a fake microphone, the page records it with
// MediaRecorder (webm/opus, which the package decodes in the page) and transcribes it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, launch, startServer, watchForeignRequests, words } from './harness.mjs';

const WAV = join(ROOT, 'tests/fixtures/visit_a/audio.wav');
const RECORD_MS = 9_500; // the first truth segment (0.5-8.5 s) ends "...how can I help you this morning?"

let server;
let browser;
let foreign;

before(async () => {
  server = await startServer();
  browser = await launch([
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${WAV}`,
  ]);
  foreign = watchForeignRequests(browser.context, server.origin);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('record, stop, transcribe', { timeout: 240_000 }, async () => {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('#app[data-model="ready"]', { timeout: 120_000 });

  const record = page.locator('#record');
  assert.equal(await record.innerText(), 'Record from microphone');
  await record.click();
  await page.waitForSelector('#app[data-state="recording"]', { timeout: 10_000 });
  assert.equal(await record.getAttribute('aria-pressed'), 'true');
  await page.waitForTimeout(RECORD_MS);
  assert.equal(await record.innerText(), 'Stop and transcribe');
  await record.click();

  await page.waitForSelector('#app[data-state="done"], #app[data-state="error"]', { timeout: 180_000 });
  const error = await page.locator('#error').isVisible() ? await page.locator('#error').innerText() : '';
  assert.equal(await page.getAttribute('#app', 'data-state'), 'done', error);

  const text = (await page.locator('#segments .segment .text').allInnerTexts()).join(' ');
  assert.match(text, /morning|help|start/i);
  const truth = JSON.parse(await readFile(join(ROOT, 'tests/fixtures/visit_a/truth.json'), 'utf8'));
  const heard = new Set(words(text));
  const shared = new Set(words(truth.segments[0].text).filter((w) => heard.has(w)));
  assert.ok(shared.size >= 4, `shares only ${[...shared].join(', ')} with the first truth segment`);
  const ends = await page.locator('#segments .segment').evaluateAll((els) => els.map((e) => Number(e.dataset.end)));
  assert.ok(Math.max(...ends) <= RECORD_MS / 1000 + 2, 'times fit inside the recording');
  assert.deepEqual(foreign, []);
});

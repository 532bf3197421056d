// Recording from the microphone: Chromium plays visit A (33 s, looped) as a fake microphone. The page streams
// its samples through an AudioWorklet to scribe.live(), so words appear while it records (drafts within
// seconds, then each window's lines for good), and keeps a
// MediaRecorder file (webm/opus) to play the evidence back from. Pausing holds both, so the pause is in neither.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, launch, leaveIsHeld, startServer, watchForeignRequests, words } from './harness.mjs';

const WAV = join(ROOT, 'tests/fixtures/visit_a/audio.wav');
// Recording stops once the first window (30 s of speech) has been transcribed, which needs at least that much audio.
const FIRST_WORDS_TIMEOUT_MS = 120_000;

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

test('record: words appear while recording; stop: the rest is transcribed', { timeout: 300_000 }, async () => {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('#app[data-model="ready"]', { timeout: 120_000 });

  const record = page.locator('#record');
  assert.equal(await record.innerText(), 'Record from microphone');
  await record.click();
  await page.waitForSelector('#app[data-state="recording"]', { timeout: 10_000 });
  assert.equal(await record.getAttribute('aria-pressed'), 'true');
  const started = Date.now();
  // A first reading of the speech waiting comes within seconds, in italics, long before its window.
  await page.waitForSelector('#live-lines li.pending', { timeout: 30_000 });
  const draftMs = Date.now() - started;
  assert.ok(draftMs < 20_000, `the first draft came after ${draftMs} ms`);
  assert.match((await page.locator('#live-lines li.pending').allInnerTexts()).join(' '), /morning|help|hello/i);
  await page.waitForSelector('#live-lines li:not(.pending)', { timeout: FIRST_WORDS_TIMEOUT_MS });
  const recordedMs = Date.now() - started;
  assert.equal(await page.getAttribute('#app', 'data-state'), 'recording', 'words came while still recording');
  assert.deepEqual(await page.locator('#levels label').allInnerTexts(), ['Microphone'], 'one meter, for the microphone');
  assert.equal(await page.isVisible('#level-hint'), false, 'the microphone is heard, so no silence is pointed out');
  assert.ok(recordedMs >= 30_000, `the first words need 30 s of speech, came after ${recordedMs} ms`);
  const heardWhileRecording = (await page.locator('#live-lines li:not(.pending)').allInnerTexts()).join(' ');
  assert.match(heardWhileRecording, /morning|help/i);
  const kinds = await page.locator('#live-lines li').evaluateAll((els) => els.map((li) => li.className));
  assert.ok(kinds.indexOf('pending') === -1 || kinds.slice(kinds.indexOf('pending')).every((k) => k === 'pending'), `drafts follow the lines recognised for good: ${kinds}`);
  assert.equal(await record.innerText(), 'Stop and transcribe');
  await record.click();
  const stoppedMs = Date.now() - started;

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
  assert.ok(Math.max(...ends) <= stoppedMs / 1000 + 2, 'times fit inside the recording');
  assert.ok(Math.max(...ends) >= 30, 'the whole recording is transcribed, not just the first block');
  // A line plays from the recorded file.
  await page.locator('#segments .segment').first().click();
  await page.waitForSelector('#segments .segment.playing', { timeout: 5_000 });
  assert.deepEqual(foreign, []);
});

test('pause: what is said while paused is neither recorded nor transcribed, and the clock stands still', { timeout: 300_000 }, async () => {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('#app[data-model="ready"]', { timeout: 120_000 });
  const pause = page.locator('#pause');
  assert.equal(await pause.isVisible(), false, 'no Pause button until recording');

  await page.locator('#record').click();
  await page.waitForSelector('#app[data-state="recording"]', { timeout: 10_000 });
  const started = Date.now();
  await page.waitForTimeout(6_000);
  await pause.click();
  const pausedAt = Date.now();
  assert.equal(await pause.innerText(), 'Resume');
  assert.equal(await pause.getAttribute('aria-pressed'), 'true');
  assert.match(await page.locator('#status').innerText(), /^Paused/);
  const clock = await page.locator('#record-time').innerText();
  await page.waitForTimeout(12_000);
  assert.equal(await page.locator('#record-time').innerText(), clock, 'the clock stands still while paused');
  assert.equal(await page.isVisible('#level-hint'), false, 'a pause is not a silent microphone');
  await pause.click();
  const pausedMs = Date.now() - pausedAt;
  assert.equal(await pause.innerText(), 'Pause');
  assert.match(await page.locator('#status').innerText(), /^Recording/);
  // Enough speech after the pause for the first window to be recognised while recording.
  await page.waitForSelector('#live-lines li:not(.pending)', { timeout: FIRST_WORDS_TIMEOUT_MS });
  await page.locator('#record').click();
  const wallS = (Date.now() - started) / 1000;
  assert.equal(await pause.isVisible(), false, 'Pause goes with the recording');
  await page.waitForSelector('#app[data-state="done"], #app[data-state="error"]', { timeout: 180_000 });
  const error = await page.locator('#error').isVisible() ? await page.locator('#error').innerText() : '';
  assert.equal(await page.getAttribute('#app', 'data-state'), 'done', error);

  // The recording lives only in this page: leaving asks first until its transcript is downloaded.
  assert.equal(await leaveIsHeld(page), true, 'a recording not yet saved');
  // The transcript's audio is the time recorded, the pause left out.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download transcript.json' }).click()]);
  const transcript = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(await leaveIsHeld(page), false, 'transcript.json saved');
  const audioS = transcript.Conversation.Bedside.audioSeconds;
  const recordedS = wallS - pausedMs / 1000;
  assert.ok(Math.abs(audioS - recordedS) < 3, `audio ${audioS.toFixed(1)} s, recorded ${recordedS.toFixed(1)} s of ${wallS.toFixed(1)} s`);
  const ends = await page.locator('#segments .segment').evaluateAll((els) => els.map((e) => Number(e.dataset.end)));
  assert.ok(Math.max(...ends) <= recordedS + 2, 'no line is timed inside the pause');
  // A line still plays from the recorded file, whose time line is the transcript's.
  await page.locator('#segments .segment').first().click();
  await page.waitForSelector('#segments .segment.playing', { timeout: 5_000 });
  await page.close();
  assert.deepEqual(foreign, []);
});

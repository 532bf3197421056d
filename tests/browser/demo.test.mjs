// The demo page in headless Chromium: sample button, file picker, playback, download, model cache,
// and no request to any other origin.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, openDemo, words } from './harness.mjs';

let server;
let browser;
let page;
let foreign;
const requested = [];

let demo;

before(async () => {
  demo = await openDemo({ onContext: (context) => context.on('request', (r) => requested.push(new URL(r.url()).pathname)) });
  ({ server, browser, page, foreign } = demo);
});

after(() => demo?.close());

async function transcriptLines() {
  await page.waitForSelector('#app[data-state="done"], #app[data-state="error"]', { timeout: 180_000 });
  const error = await page.locator('#error').isVisible() ? await page.locator('#error').innerText() : '';
  assert.equal(await page.getAttribute('#app', 'data-state'), 'done', error);
  return page.locator('#segments .segment').evaluateAll((els) => els.map((el) => ({
    time: el.querySelector('.time').textContent,
    role: el.querySelector('.role').textContent,
    text: el.querySelector('.text').textContent,
  })));
}

function sharedWords(lines, truthText) {
  const truth = new Set(words(truthText));
  return new Set(lines.flatMap((l) => words(l.text)).filter((w) => truth.has(w) && w.length > 3));
}

test('the page is cross-origin isolated, says it runs on-device, and loads the model in a worker', async () => {
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  assert.match(await page.locator('.notice').innerText(), /runs on this device/i);
  assert.match(await page.locator('.notice').innerText(), /draft/i);
  assert.ok(requested.includes('/pkg/src/worker.js'), 'the core runs in a Web Worker');
  // Speech model (4 files), voice activity, and the 5 clinical files (sections and terms).
  const manifest = JSON.parse(await readFile(join(ROOT, 'models/manifest.json'), 'utf8'));
  const expected = 5 + Object.keys(manifest.defaults.clinical ?? {}).length;
  assert.equal(await page.locator('#load-progress progress').count(), expected);
  const values = await page.locator('#load-progress progress').evaluateAll((els) => els.map((e) => e.value));
  assert.deepEqual(values, Array(expected).fill(1));
  // Once loaded, the bars fold into one line so the recording controls come into view.
  await page.waitForSelector('#app[data-model="ready"]');
  assert.equal(await page.locator('#load-details').evaluate((d) => d.open), false);
  const names = await page.locator('#load-progress li span').allTextContents();
  const megabytes = names.reduce((sum, n) => sum + manifest.files.find((f) => f.path === n).size, 0) / 1e6;
  const summary = await page.locator('#load-summary').innerText();
  assert.match(summary, new RegExp(`^Models ready: ${expected} files, `));
  assert.ok(Math.abs(parseFloat(summary.split(', ')[1]) - megabytes) <= 1, `${summary} vs ${megabytes} MB`);
});

test('Cancel stops a transcription at once and the page stays usable', { timeout: 60_000 }, async () => {
  await page.getByRole('button', { name: 'Try the sample visit' }).click();
  await page.waitForSelector('#app[data-state="processing"]', { timeout: 10_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.waitForSelector('#app[data-state="cancelled"]', { timeout: 5_000 });
  assert.match(await page.locator('#status').innerText(), /Cancelled/);
  assert.equal(await page.locator('#segments li').count(), 0);
  assert.equal(await page.locator('#sample').isEnabled(), true);
});

test('"Try the sample visit" transcribes the sample in one click, its words shown as they are heard', { timeout: 240_000 }, async () => {
  // Record what the live view shows while the recording is transcribed.
  await page.evaluate(() => {
    window.liveSeen = [];
    new MutationObserver(() => {
      const lines = [...document.querySelectorAll('#live-lines li')].map((li) => li.textContent);
      if (lines.length && !document.getElementById('live').hidden) window.liveSeen.push({ state: document.getElementById('app').dataset.state, lines });
    }).observe(document.getElementById('live-lines'), { childList: true });
  });
  await page.getByRole('button', { name: 'Try the sample visit' }).click();
  const lines = await transcriptLines();
  const live = await page.evaluate(() => window.liveSeen);
  assert.ok(live.length >= 2, `the live view grew window by window (${live.length} updates)`);
  assert.ok(live.every((u) => u.state === 'processing'), 'only while transcribing');
  assert.ok(live.every((u, i) => i === 0 || u.lines.length > live[i - 1].lines.length));
  const liveWords = new Set(live.at(-1).lines.flatMap((l) => words(l)));
  const finalWords = lines.flatMap((l) => words(l.text));
  assert.ok(finalWords.filter((w) => liveWords.has(w)).length >= 0.9 * finalWords.length, 'the live words are the final words');
  assert.equal(await page.locator('#live').isHidden(), true, 'the finished transcript takes its place');
  assert.equal(await page.locator('#live-lines li').count(), 0);
  const truth = JSON.parse(await readFile(join(ROOT, 'www/sample/truth.json'), 'utf8'));
  assert.ok(lines.length >= 3, `got ${lines.length} lines`);
  assert.ok(lines.some((l) => /morning|help/i.test(l.text)), 'the clinician asks how they can help this morning');
  assert.ok(sharedWords(lines, truth.segments.map((s) => s.text).join(' ')).size >= 10);
  for (const l of lines) {
    assert.match(l.time, /^\d\d:\d\d–\d\d:\d\d$/);
    assert.match(l.role, /^(Clinician|Patient)$/);
  }
});

test('a chosen file is transcribed; a line plays; transcript.json downloads', { timeout: 240_000 }, async () => {
  await page.setInputFiles('#file', join(ROOT, 'tests/fixtures/visit_a/audio.wav'));
  const lines = await transcriptLines();
  const truth = JSON.parse(await readFile(join(ROOT, 'tests/fixtures/visit_a/truth.json'), 'utf8'));
  assert.ok(lines.length >= 2);
  assert.match(lines[0].text + lines[1].text, /morning|help|start/i);
  assert.ok(sharedWords(lines, truth.segments.map((s) => s.text).join(' ')).size >= 10);
  const [mm, ss] = lines.at(-1).time.split('–')[1].split(':').map(Number);
  assert.ok(mm * 60 + ss >= 30 && mm * 60 + ss <= 33, 'the last line ends near the end of the 33-s recording');

  // Playing a line marks it until that stretch of audio has played.
  const first = page.locator('#segments .segment').first();
  await first.click();
  await page.waitForSelector('#segments .segment.playing', { timeout: 5_000 });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download transcript.json' }).click()]);
  assert.equal(download.suggestedFilename(), 'transcript.json');
  const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.equal(saved.Conversation.TranscriptSegments.length, lines.length);

  await page.screenshot({ path: '/tmp/bedside-demo.png', fullPage: true });
});

test('words typed under "Words to favour" are spelled so in the transcript', { timeout: 240_000 }, async () => {
  // A minute of a visit in which the patient names her Implanon four times; without a vocabulary tiny.en
  // writes "implant and".
  await page.fill('#vocabulary', 'Implanon, Nexplanon, Mirena, trimethoprim');
  await page.setInputFiles('#file', join(ROOT, 'tests/fixtures/implanon_60s/audio.flac'));
  const text = (await transcriptLines()).map((l) => l.text).join(' ');
  const spelled = (text.match(/\bImplanon\b/gi) ?? []).length;
  assert.ok(spelled >= 3, `Implanon spelled ${spelled} times`);
  assert.doesNotMatch(text, /Nexplanon|Mirena|trimethoprim/i, 'nothing unsaid is written in');
  await page.fill('#vocabulary', '');
});

test('words typed under "Words to filter" are masked (or tagged) in the transcript, its terms, the note and transcript.json', { timeout: 300_000 }, async () => {
  // Visit A's patient says "diarrhea" in two lines.
  await page.fill('#vocabulary-filter', 'Diarrhea');
  assert.equal(await page.locator('#filter-method').inputValue(), 'mask');
  await page.setInputFiles('#file', join(ROOT, 'tests/fixtures/visit_a/audio.wav'));
  const text = (await transcriptLines()).map((l) => l.text).join(' ');
  assert.ok((text.match(/\*\*\*/g) ?? []).length >= 2, text);
  assert.doesNotMatch(text, /diarrh/i);
  assert.doesNotMatch(await page.locator('#note').innerText(), /diarrh/i, 'the note reads the filtered transcript');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download transcript.json' }).click()]);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8'));
  const masked = saved.Conversation.TranscriptItems.filter((i) => i.VocabularyFilterMatch);
  assert.ok(masked.length >= 2 && masked.every((i) => i.Alternatives[0].Content === '***'), JSON.stringify(masked));
  assert.doesNotMatch(JSON.stringify(saved), /diarrh/i, 'nowhere in transcript.json');
  const marked = async () => page.locator('#segments mark.filtered').allInnerTexts();
  assert.deepEqual(await marked(), masked.map(() => '***'), 'each *** is marked in the lines');

  // Tagged, the words stay and are marked where they were said, the same ones transcript.json tags.
  await page.selectOption('#filter-method', 'tag');
  await page.setInputFiles('#file', join(ROOT, 'tests/fixtures/visit_a/audio.wav'));
  await transcriptLines();
  const [tagDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download transcript.json' }).click()]);
  const tagged = JSON.parse(await readFile(await tagDownload.path(), 'utf8')).Conversation.TranscriptItems.filter((i) => i.VocabularyFilterMatch);
  const onScreen = await marked();
  assert.ok(onScreen.length >= 2 && onScreen.every((w) => /^diarrh/i.test(w)), onScreen.join(', '));
  assert.deepEqual(onScreen, tagged.map((i) => i.Alternatives[0].Content));
  await page.selectOption('#filter-method', 'mask');

  // A phrase is not one word: refused with a reason before anything is transcribed.
  await page.fill('#vocabulary-filter', 'loose stools');
  await page.setInputFiles('#file', join(ROOT, 'tests/fixtures/visit_b/audio.wav'));
  await page.waitForSelector('#app[data-state="error"]', { timeout: 60_000 });
  assert.match(await page.locator('#error').innerText(), /loose stools/);
  await page.fill('#vocabulary-filter', '');
});

test('models are cached: a reload loads them without downloading again', { timeout: 120_000 }, async () => {
  const cached = await page.evaluate(async () => (await (await caches.open('bedside-models-v1')).keys()).map((r) => new URL(r.url).pathname));
  assert.ok(cached.includes('/models/whisper-tiny.en-q8_0.gguf'), cached.join(', '));
  const before = requested.length;
  await page.reload();
  await page.waitForSelector('#app[data-model="ready"]', { timeout: 60_000 });
  const again = requested.slice(before).filter((p) => p.startsWith('/models/') && p !== '/models/manifest.json');
  assert.deepEqual(again, []);
});

test('nothing was requested from any other origin', () => {
  assert.deepEqual(foreign, []);
});

// Recording a telehealth call in the demo: the microphone (the clinician) on one channel and the call's sound,
// shared from its browser tab, on the other; both are transcribed while the call goes on, each side in its role.
//
// The two sides are the two channels of visit A's stereo recording (PriMock57 kept each side on its own
// channel). Chromium's fake microphone plays the clinician's. Sharing a tab's sound cannot run headless here
// (Chromium answers "Could not start audio source"), so getDisplayMedia is replaced, before the page loads,
// by the same kind of stream a shared tab gives: an audio track (an <audio> element playing the patient's
// channel, captured) and a video track. Everything after that is the page's own code.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import init, { decodeAudio } from '../../pkg/wasm/bedside.js';
import { ROOT, launch, startServer, watchForeignRequests, wavBytes, words } from './harness.mjs';

const CALL_PATH = '/test-call/patient.wav';

let dir;
let patientWav;
let server;
let browser;
let foreign;

before(async () => {
  await init({ module_or_path: await readFile(join(ROOT, 'pkg/wasm/bedside_bg.wasm')) });
  const call = decodeAudio(await readFile(join(ROOT, 'tests/fixtures/visit_a_stereo/audio.flac')));
  dir = await mkdtemp(join(tmpdir(), 'bedside-call-'));
  const clinicianWav = join(dir, 'clinician.wav');
  await writeFile(clinicianWav, wavBytes([call.channels[0]], call.sampleRate));
  patientWav = wavBytes([call.channels[1]], call.sampleRate);
  server = await startServer();
  browser = await launch([
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${clinicianWav}`,
    '--autoplay-policy=no-user-gesture-required',
  ]);
  foreign = watchForeignRequests(browser.context, server.origin);
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('record a call: each side on its own channel, heard while the call goes on, each line in its role', { timeout: 420_000 }, async () => {
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.route(`**${CALL_PATH}`, (route) => route.fulfill({ body: patientWav, contentType: 'audio/wav' }));
  await page.addInitScript((src) => {
    // The file the page keeps, as it records it.
    window.recordedChunks = [];
    const Recorder = window.MediaRecorder;
    window.MediaRecorder = class extends Recorder {
      constructor(...args) {
        super(...args);
        this.addEventListener('dataavailable', (e) => window.recordedChunks.push(e.data));
      }
    };
    window.sharedCalls = 0;
    navigator.mediaDevices.getDisplayMedia = async () => {
      window.sharedCalls += 1;
      const audio = new Audio(src);
      audio.loop = true;
      await audio.play();
      const canvas = document.createElement('canvas');
      canvas.getContext('2d').fillRect(0, 0, 10, 10);
      const video = canvas.captureStream(1).getVideoTracks()[0];
      window.sharedVideo = video;
      return new MediaStream([...audio.captureStream().getAudioTracks(), video]);
    };
  }, CALL_PATH);
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('#app[data-model="ready"]', { timeout: 120_000 });

  const record = page.locator('#record');
  assert.equal(await record.innerText(), 'Record from microphone');
  await page.check('#setup-telehealth');
  await page.selectOption('#clinician-channel', '0');
  assert.equal(await record.innerText(), 'Record a call');
  await record.click();
  await page.waitForSelector('#app[data-state="recording"]', { timeout: 10_000 });
  assert.equal(await page.evaluate(() => window.sharedCalls), 1, 'the call was asked for once');
  assert.equal(await page.evaluate(() => window.sharedVideo.readyState), 'ended', 'only the sound of the share is kept');
  assert.match(await page.locator('#status').innerText(), /Recording the call: you on channel 0/);
  // A meter per side, in channel order; each shows its side's speech (the two rarely speak at once: keep maxima).
  assert.deepEqual(await page.locator('#levels label').allInnerTexts(), ['You (microphone)', 'Call (shared tab)']);
  await page.evaluate(() => {
    window.levelMax = [0, 0];
    setInterval(() => document.querySelectorAll('#levels meter').forEach((m, c) => { window.levelMax[c] = Math.max(window.levelMax[c], m.value); }), 50);
  });

  // Drafts of both sides come within seconds of their speech (the patient first speaks at 11 s)…
  const bothSides = (selector) => {
    const t = [...document.querySelectorAll(selector)].map((e) => e.textContent).join(' ');
    return t.includes('(clinician)') && t.includes('(patient)');
  };
  await page.waitForFunction(bothSides, '#live-lines li.pending .time', { timeout: 60_000 });
  // …and each side's lane is recognised for good once it holds a window of speech (or a minute of audio):
  // both within 3 min.
  await page.waitForFunction(bothSides, '#live-lines li:not(.pending) .time', { timeout: 200_000 });
  assert.equal(await page.getAttribute('#app', 'data-state'), 'recording', 'both sides heard while still recording');
  const [micLevel, callLevel] = await page.evaluate(() => window.levelMax);
  assert.ok(micLevel > 0.4 && callLevel > 0.4, `meters peaked at ${micLevel.toFixed(2)} / ${callLevel.toFixed(2)}`);
  assert.equal(await page.isVisible('#level-hint'), false, 'neither side is silent');
  const heard = await page.locator('#live-lines li:not(.pending)').evaluateAll((els) => els.map((li) => li.textContent));
  assert.ok(heard.some((l) => /\(patient\).*(diarrh|toilet|three days)/i.test(l)), heard.join('\n'));
  assert.ok(heard.some((l) => /\(clinician\).*(morning|help)/i.test(l)), heard.join('\n'));
  await record.click();

  await page.waitForSelector('#app[data-state="done"], #app[data-state="error"]', { timeout: 180_000 });
  const error = await page.locator('#error').isVisible() ? await page.locator('#error').innerText() : '';
  assert.equal(await page.getAttribute('#app', 'data-state'), 'done', error);
  assert.equal(await page.isVisible('#levels'), false, 'the meters go with the recording');
  const lines = await page.locator('#segments .segment').evaluateAll((els) => els.map((el) => ({
    role: el.dataset.role, text: el.querySelector('.text').textContent,
  })));
  const textOf = (role) => lines.filter((l) => l.role === role).map((l) => l.text).join(' ');
  const truth = JSON.parse(await readFile(join(ROOT, 'tests/fixtures/visit_a_stereo/truth.json'), 'utf8')).segments;
  // Most of what each role says is what that side said, not the other side.
  for (const [role, side, other] of [['CLINICIAN_0', 'CLINICIAN', 'PATIENT'], ['PATIENT_0', 'PATIENT', 'CLINICIAN']]) {
    const own = new Set(words(truth.filter((s) => s.speaker === side).map((s) => s.text).join(' ')));
    const others = new Set(words(truth.filter((s) => s.speaker === other).map((s) => s.text).join(' ')));
    const said = words(textOf(role)).filter((w) => own.has(w) !== others.has(w)); // words only one side used
    const ownShare = said.filter((w) => own.has(w)).length / Math.max(1, said.length);
    assert.ok(said.length >= 10 && ownShare >= 0.8, `${role}: ${(ownShare * 100).toFixed(0)}% of ${said.length} telling words are its side's`);
  }
  // The kept recording holds both channels, and a patient's line plays from it.
  const channels = await page.evaluate(async () => {
    const bytes = await new Blob(window.recordedChunks).arrayBuffer();
    return (await new AudioContext().decodeAudioData(bytes)).numberOfChannels;
  });
  assert.equal(channels, 2, 'the kept recording holds each side on its own channel');
  await page.locator('#segments .segment[data-role="PATIENT_0"]').first().click();
  await page.waitForSelector('#segments .segment.playing', { timeout: 5_000 });
  assert.deepEqual(foreign, []);
});

test('a call shared without its sound, or not shared, is refused with a way forward, and nothing records', { timeout: 180_000 }, async () => {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.addInitScript(() => {
    // First a share with a picture and no sound (the "Share tab audio" box left unticked), then a cancelled picker.
    window.shares = 0;
    navigator.mediaDevices.getDisplayMedia = async () => {
      window.shares += 1;
      if (window.shares > 1) throw new DOMException('Permission denied', 'NotAllowedError');
      const canvas = document.createElement('canvas');
      canvas.getContext('2d').fillRect(0, 0, 10, 10);
      window.sharedVideo = canvas.captureStream(1).getVideoTracks()[0];
      return new MediaStream([window.sharedVideo]);
    };
  });
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('#app[data-model="ready"]', { timeout: 120_000 });
  await page.check('#setup-telehealth');
  for (const expected of [/gave no sound.*Share tab audio/, /was not shared/]) {
    await page.locator('#record').click();
    await page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 10_000 });
    const error = await page.locator('#error').innerText();
    assert.match(error, expected);
    assert.match(error, /One microphone in the room/, 'says how to record without the call');
    assert.notEqual(await page.getAttribute('#app', 'data-state'), 'recording');
    assert.equal(await page.locator('#record').innerText(), 'Record a call');
  }
  assert.equal(await page.evaluate(() => window.sharedVideo.readyState), 'ended', 'the refused share was stopped');
  await page.close();
});

test('a shared tab that stays silent is pointed out while recording', { timeout: 240_000 }, async () => {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.addInitScript(() => {
    navigator.mediaDevices.getDisplayMedia = async () => {
      const silence = new AudioContext().createMediaStreamDestination().stream; // a tab playing nothing
      const canvas = document.createElement('canvas');
      canvas.getContext('2d').fillRect(0, 0, 10, 10);
      return new MediaStream([...silence.getAudioTracks(), canvas.captureStream(1).getVideoTracks()[0]]);
    };
  });
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('#app[data-model="ready"]', { timeout: 120_000 });
  await page.check('#setup-telehealth');
  await page.locator('#record').click();
  await page.waitForSelector('#app[data-state="recording"]', { timeout: 10_000 });
  assert.equal(await page.isVisible('#level-hint'), false, 'not before a silence could mean anything');
  await page.waitForSelector('#level-hint:not([hidden])', { timeout: 30_000 });
  const hint = await page.locator('#level-hint').innerText();
  assert.match(hint, /No sound from the shared tab/);
  assert.doesNotMatch(hint, /microphone/, 'the microphone is heard');
  await page.locator('#record').click();
  await page.waitForSelector('#app[data-state="done"], #app[data-state="error"]', { timeout: 180_000 });
  assert.equal(await page.isVisible('#level-hint'), false);
  await page.close();
});

// Speakers in the demo page: the recording setup (one microphone or telehealth channels) reaches the core,
// every line shows its role in words on a colour per role, the Speakers panel swaps roles and names speakers
// on every line and in the downloaded transcript.json, and the core's warnings and settings errors are shown.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, openDemo, wavBytes } from './harness.mjs';

const MONO = join(ROOT, 'tests/fixtures/visit_a/audio.wav');
const STEREO = join(ROOT, 'tests/fixtures/visit_a_stereo/audio.flac');
const SWAPPED = { CLINICIAN_0: 'PATIENT_0', PATIENT_0: 'CLINICIAN_0' };

let server;
let browser;
let page;
let foreign;

let demo;

before(async () => {
  demo = await openDemo();
  ({ server, browser, page, foreign } = demo);
});

after(() => demo?.close());

/** Chooses the setup, hands the page a file and resolves to the state the run ended in ('done' or 'error'). */
async function run(files, { telehealth = false, clinicianChannel = '0' } = {}) {
  await page.check(telehealth ? '#setup-telehealth' : '#setup-room');
  if (telehealth) await page.selectOption('#clinician-channel', clinicianChannel);
  // Watch data-state from now on, so an earlier run's "done" is never taken for this one's.
  await page.evaluate(() => {
    window.seenStates = [];
    new MutationObserver(() => window.seenStates.push(document.getElementById('app').dataset.state))
      .observe(document.getElementById('app'), { attributes: true, attributeFilter: ['data-state'] });
  });
  await page.setInputFiles('#file', files);
  await page.waitForFunction(() => window.seenStates.some((s) => s === 'done' || s === 'error'), null, { timeout: 180_000 });
  return page.getAttribute('#app', 'data-state');
}

async function runOk(files, setup) {
  const state = await run(files, setup);
  const error = await page.locator('#error').isVisible() ? await page.locator('#error').innerText() : '';
  assert.equal(state, 'done', error);
}

function lines() {
  return page.locator('#segments .segment').evaluateAll((els) => els.map((el) => {
    const name = el.querySelector('.name');
    return {
      role: el.dataset.role,
      label: el.querySelector('.role').textContent,
      name: name.hidden ? '' : name.textContent,
      text: el.querySelector('.text').textContent,
    };
  }));
}

async function downloaded() {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download transcript.json' }).click(),
  ]);
  return JSON.parse(await readFile(await download.path(), 'utf8')).Conversation.TranscriptSegments;
}

// WCAG contrast ratio of two CSS rgb() colours.
function contrast(a, b) {
  const lum = (css) => {
    const [r, g, b2] = css.match(/\d+(\.\d+)?/g).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// visit_a's 16-bit mono WAV with its one channel copied onto two: a "telehealth" file whose sides are identical.
async function duplicatedMonoWav() {
  const wav = await readFile(MONO);
  let at = 12;
  let fmt;
  let data;
  while (at + 8 <= wav.length) {
    const id = wav.toString('ascii', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    if (id === 'fmt ') fmt = wav.subarray(at + 8, at + 8 + size);
    if (id === 'data') data = wav.subarray(at + 8, at + 8 + size);
    at += 8 + size + (size % 2);
  }
  assert.equal(fmt.readUInt16LE(2), 1, 'mono fixture');
  assert.equal(fmt.readUInt16LE(14), 16, '16-bit fixture');
  const mono = Float32Array.from({ length: data.length >> 1 }, (_, i) => data.readInt16LE(i * 2) / 32768);
  return { name: 'identical-channels.wav', mimeType: 'audio/wav', buffer: wavBytes([mono, mono], fmt.readUInt32LE(4)) };
}

test('one microphone: clinician and patient are found, each line shows its role on its own colour', { timeout: 240_000 }, async () => {
  assert.equal(await page.isChecked('#setup-room'), true, 'one microphone is the default');
  assert.equal(await page.inputValue('#max-speakers'), '4');
  assert.equal(await page.isDisabled('#clinician-channel'), true);
  assert.equal(await page.isVisible('#speakers'), false, 'no Speakers panel before a transcript');

  await runOk(MONO);
  const got = await lines();
  const roles = new Set(got.map((l) => l.role));
  assert.ok(roles.has('CLINICIAN_0') && roles.has('PATIENT_0'), [...roles].join(', '));
  assert.equal(got[0].role, 'CLINICIAN_0', 'the clinician opens the visit');
  const words = { CLINICIAN_0: 'Clinician', PATIENT_0: 'Patient', CLINICIAN_1: 'Clinician 2', PATIENT_1: 'Patient 2' };
  for (const l of got) assert.equal(l.label, words[l.role] ?? l.label, `${l.role} is shown as ${l.label}`);
  assert.ok(got.some((l) => /morning|help/i.test(l.text) && l.role === 'CLINICIAN_0'));
  assert.ok(got.some((l) => /diarrh/i.test(l.text) && l.role === 'PATIENT_0'), 'the patient describes the diarrhoea');

  // One colour per role: the same on every line of a role, different between roles, and readable.
  const colours = await page.locator('#segments .segment').evaluateAll((els) => els.map((el) => {
    const chip = getComputedStyle(el.querySelector('.role'));
    return { role: el.dataset.role, bg: chip.backgroundColor, ink: chip.color, edge: getComputedStyle(el).borderLeftColor };
  }));
  const byRole = new Map();
  for (const c of colours) {
    if (byRole.has(c.role)) assert.deepEqual(c, byRole.get(c.role), `every ${c.role} line has the same colours`);
    byRole.set(c.role, c);
    assert.ok(contrast(c.bg, c.ink) >= 4.5, `label contrast ${contrast(c.bg, c.ink).toFixed(1)} for ${c.role}`);
    assert.ok(contrast(c.edge, 'rgb(255, 255, 255)') >= 3, `edge contrast for ${c.role}`);
  }
  assert.notEqual(byRole.get('CLINICIAN_0').bg, byRole.get('PATIENT_0').bg);
  assert.notEqual(byRole.get('CLINICIAN_0').edge, byRole.get('PATIENT_0').edge);

  // The Speakers panel lists each role once; visit A has no warnings, so no notice.
  const rows = await page.locator('#speaker-list .speaker-row').evaluateAll((els) => els.map((el) => el.dataset.role));
  assert.deepEqual(rows, [...roles].sort((a, b) => (a === 'CLINICIAN_0' ? -1 : b === 'CLINICIAN_0' ? 1 : a.localeCompare(b))));
  assert.equal(await page.isEnabled('#swap-roles'), true);
  assert.equal(await page.isVisible('#warnings'), false);
});

test('"Swap clinician and patient" changes every line and the downloaded transcript.json', { timeout: 60_000 }, async () => {
  const beforeSwap = await lines();
  const savedBefore = await downloaded();
  assert.deepEqual(savedBefore.map((s) => s.ParticipantDetails.ParticipantRole), beforeSwap.map((l) => l.role));

  await page.getByRole('button', { name: 'Swap clinician and patient' }).click();
  const afterSwap = await lines();
  assert.equal(afterSwap.length, beforeSwap.length);
  afterSwap.forEach((l, i) => {
    const want = SWAPPED[beforeSwap[i].role] ?? beforeSwap[i].role;
    assert.equal(l.role, want, `line ${i + 1}`);
    assert.equal(l.label, want === 'CLINICIAN_0' ? 'Clinician' : want === 'PATIENT_0' ? 'Patient' : l.label);
    assert.equal(l.text, beforeSwap[i].text, 'the words stay');
  });
  assert.equal(afterSwap[0].label, 'Patient');
  assert.match(await page.locator('#status').innerText(), /swapped/i);

  const saved = await downloaded();
  assert.deepEqual(saved.map((s) => s.ParticipantDetails.ParticipantRole), afterSwap.map((l) => l.role));
  assert.deepEqual(saved.map((s) => s.SegmentId), savedBefore.map((s) => s.SegmentId));
  assert.deepEqual(saved.map((s) => s.Content), savedBefore.map((s) => s.Content));
});

test('renaming a speaker shows the name on all of its lines; a role change keeps the name with the person', { timeout: 60_000 }, async () => {
  // After the swap, the clinician row is the speaker the scribe had called the patient.
  const clinicianRow = page.locator('#speaker-list .speaker-row[data-role="CLINICIAN_0"]');
  await clinicianRow.locator('input.speaker-name').fill('Dr. Lee');
  await clinicianRow.locator('input.speaker-name').press('Tab');
  let got = await lines();
  const leeLines = got.map((l, i) => (l.role === 'CLINICIAN_0' ? i : -1)).filter((i) => i >= 0);
  assert.ok(leeLines.length >= 1);
  for (const l of got) assert.equal(l.name, l.role === 'CLINICIAN_0' ? 'Dr. Lee' : '', `${l.role}: ${l.text}`);
  assert.match(await page.locator('#status').innerText(), /Dr\. Lee/);
  let saved = await downloaded();
  saved.forEach((s, i) => {
    assert.equal(s.ParticipantDetails.DisplayName, leeLines.includes(i) ? 'Dr. Lee' : undefined, `segment ${i + 1}`);
  });
  await page.screenshot({ path: '/tmp/bedside-speakers.png', fullPage: true });

  // Making Dr. Lee the patient (the per-speaker role select) swaps the two speakers; the name follows Dr. Lee.
  const leeSpeaker = await clinicianRow.getAttribute('data-speaker');
  await page.locator(`#speaker-list .speaker-row[data-speaker="${leeSpeaker}"] select.speaker-role`).selectOption('PATIENT_0');
  assert.match(await page.locator('#status').innerText(), /Every Clinician line is now Patient, and every Patient line Clinician/);
  got = await lines();
  got.forEach((l, i) => {
    assert.equal(l.name, leeLines.includes(i) ? 'Dr. Lee' : '', `line ${i + 1}`);
    assert.equal(l.role, leeLines.includes(i) ? 'PATIENT_0' : 'CLINICIAN_0', `line ${i + 1}`);
  });
  assert.equal(got[0].label, 'Clinician', 'back to the roles the scribe found');
  saved = await downloaded();
  assert.deepEqual(saved.map((s) => s.ParticipantDetails.ParticipantRole), got.map((l) => l.role));
  assert.deepEqual(saved.map((s) => s.ParticipantDetails.DisplayName ?? ''), got.map((l) => l.name));

  // Clearing the name takes it off every line and out of the file.
  await page.locator(`#speaker-list .speaker-row[data-speaker="${leeSpeaker}"] input.speaker-name`).fill('');
  assert.ok((await lines()).every((l) => l.name === ''));
  assert.ok((await downloaded()).every((s) => !('DisplayName' in s.ParticipantDetails)));
});

test('telehealth, clinician on channel 0: the first line (channel 0) is the clinician', { timeout: 240_000 }, async () => {
  await page.check('#setup-telehealth');
  assert.equal(await page.isEnabled('#clinician-channel'), true);
  assert.equal(await page.isDisabled('#max-speakers'), true);
  await runOk(STEREO, { telehealth: true, clinicianChannel: '0' });
  const got = await lines();
  assert.equal(got[0].label, 'Clinician');
  assert.equal(got[0].role, 'CLINICIAN_0');
  assert.ok(got.some((l) => l.role === 'PATIENT_0' && /diarrh|how are you/i.test(l.text)));
  const saved = await downloaded();
  for (const s of saved) {
    assert.equal(s.ParticipantDetails.ParticipantRole, s.ChannelId === 0 ? 'CLINICIAN_0' : 'PATIENT_0', s.Content);
  }
  assert.equal(await page.isVisible('#warnings'), false);
});

test('telehealth, clinician on channel 1: the same file now opens with the patient', { timeout: 240_000 }, async () => {
  await runOk(STEREO, { telehealth: true, clinicianChannel: '1' });
  const got = await lines();
  assert.equal(got[0].label, 'Patient');
  assert.ok(got.some((l) => l.role === 'CLINICIAN_0'));
  for (const s of await downloaded()) {
    assert.equal(s.ParticipantDetails.ParticipantRole, s.ChannelId === 1 ? 'CLINICIAN_0' : 'PATIENT_0', s.Content);
  }
});

test('telehealth with two identical channels: the core\'s warning is shown above the transcript', { timeout: 240_000 }, async () => {
  await runOk(await duplicatedMonoWav(), { telehealth: true, clinicianChannel: '0' });
  assert.equal(await page.isVisible('#warnings'), true);
  const notice = await page.locator('#warnings').innerText();
  assert.match(notice, /same signal/i);
  assert.match(notice, /separated by voice/i);
  const noticeBox = await page.locator('#warnings').boundingBox();
  const firstLine = await page.locator('#segments .segment').first().boundingBox();
  assert.ok(noticeBox.y + noticeBox.height <= firstLine.y, 'the notice is above the transcript');
  const roles = new Set((await lines()).map((l) => l.role));
  assert.ok(roles.has('CLINICIAN_0') && roles.has('PATIENT_0'), 'speakers were still told apart');
  await page.screenshot({ path: '/tmp/bedside-speakers-warning.png', fullPage: true });
});

test('telehealth with a one-channel recording says clearly why it cannot run', { timeout: 60_000 }, async () => {
  assert.equal(await run(MONO, { telehealth: true, clinicianChannel: '0' }), 'error');
  const error = page.locator('#error');
  assert.equal(await error.isVisible(), true);
  const text = await error.innerText();
  assert.match(text, /SETTINGS_INVALID/);
  assert.match(text, /two channels/i);
  assert.match(text, /One microphone in the room/);
  assert.match(await page.locator('#status').innerText(), /Could not transcribe audio\.wav/);

  // Back to one microphone, an out-of-range number is refused before anything runs.
  await page.check('#setup-room');
  await page.fill('#max-speakers', '11');
  assert.equal(await run(MONO), 'error');
  assert.match(await error.innerText(), /2 to 10/);
  await page.fill('#max-speakers', '4');
});

test('nothing was requested from any other origin', () => {
  assert.deepEqual(foreign, []);
});

// Sections and clinical entities through the package: on by default (the manifest's defaults.clinical files
// are loaded and verified), off with `clinical: false` (which refuses `redact`), and `redact: true` taking PHI
// out of the text, the live text included.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { createScribe } from '../../pkg/index.js';
import { rm } from 'node:fs/promises';
import { MODELS, VISIT_A, modelsWithCorruptFile, segmentsOf } from './helpers.mjs';

const SECTIONS = ['SUBJECTIVE', 'OBJECTIVE', 'ASSESSMENT_AND_PLAN', 'OTHER'];
const CATEGORIES = ['MEDICATION', 'MEDICAL_CONDITION', 'TEST_TREATMENT_PROCEDURE', 'ANATOMY',
  'PROTECTED_HEALTH_INFORMATION', 'TIME_EXPRESSION', 'BEHAVIORAL_ENVIRONMENTAL_SOCIAL'];
// Greedy decoding keeps the test quick; the words of visit A come out the same.
const FAST = { beamSize: 1 };

let manifest;
let audio;
let scribe;
const loaded = [];
let plain; // visit A, clinical on, not redacted

before(async () => {
  manifest = JSON.parse(await readFile(`${MODELS}/manifest.json`, 'utf8'));
  audio = await readFile(VISIT_A);
  scribe = await createScribe({
    modelBase: MODELS,
    onProgress: (e) => { if (e.status === 'done') loaded.push(e.file); },
  });
  plain = (await scribe.process(audio, FAST)).transcript;
});
after(() => scribe?.dispose());

const pathOf = (id) => manifest.files.find((f) => f.id === id).path;
const clinicalPaths = () => Object.values(manifest.defaults.clinical).map(pathOf);
const insightsOf = (t) => t.Conversation.ClinicalInsights;

/** Every span points at exactly its text: Content is the segment's Content between the offsets. */
function assertSpansMatch(transcript, spans) {
  const byId = new Map(segmentsOf(transcript).map((s) => [s.SegmentId, s.Content]));
  for (const span of spans) {
    const text = byId.get(span.SegmentId);
    assert.ok(text !== undefined, `span names segment ${span.SegmentId}, which exists`);
    assert.ok(span.BeginCharacterOffset < span.EndCharacterOffset && span.EndCharacterOffset <= [...text].length,
      `offsets ${span.BeginCharacterOffset}-${span.EndCharacterOffset} inside ${span.SegmentId}`);
    // Offsets count characters (code points) of Content.
    assert.equal([...text].slice(span.BeginCharacterOffset, span.EndCharacterOffset).join(''), span.Content);
  }
}

test('the manifest names the clinical files and createScribe loads and verifies them by default', () => {
  assert.ok(manifest.defaults.clinical, 'models/manifest.json has defaults.clinical');
  for (const path of clinicalPaths()) assert.ok(loaded.includes(path), `${path} was loaded`);
});

test('visit A: every segment has a section; diarrhea is a MEDICAL_CONDITION with exact spans', () => {
  const segments = segmentsOf(plain);
  assert.ok(segments.length >= 2);
  for (const s of segments) assert.ok(SECTIONS.includes(s.SectionDetails.SectionName), s.SectionDetails.SectionName);
  // The patient's complaint is history: at least one line is SUBJECTIVE.
  assert.ok(segments.some((s) => s.SectionDetails.SectionName === 'SUBJECTIVE'), 'a SUBJECTIVE line');

  const insights = insightsOf(plain);
  assert.ok(insights.length >= 1);
  const ids = new Set();
  for (const i of insights) {
    assert.equal(i.InsightType, 'ClinicalEntity');
    assert.ok(CATEGORIES.includes(i.Category), i.Category);
    assert.equal(typeof i.Type, 'string');
    assert.ok(i.Spans.length >= 1);
    assert.ok(!ids.has(i.InsightId), 'insight ids are unique');
    ids.add(i.InsightId);
    assertSpansMatch(plain, i.Spans);
    for (const a of i.Attributes) assertSpansMatch(plain, a.Spans);
  }
  const conditions = insights.filter((i) => i.Category === 'MEDICAL_CONDITION');
  assert.ok(conditions.length >= 1, 'at least one condition');
  const diarrhea = conditions.find((i) => /diarrh?oea|diarrhea/i.test(i.Spans[0].Content));
  assert.ok(diarrhea, `diarrhea is found (conditions: ${conditions.map((c) => c.Spans[0].Content).join(', ')})`);
  const code = diarrhea.Codes?.find((c) => c.System === 'ICD-10-CM');
  assert.ok(code, 'diarrhea carries an ICD-10-CM code');
  assert.match(code.Code, /^[A-Z]\d{2}(\.\w+)?$/);
  assert.match(code.Description, /diarrh/i);
});

test('redact: true puts [TYPE] where PHI was, in segments and insight spans', async () => {
  const redacted = (await scribe.process(audio, { ...FAST, redact: true })).transcript;
  const segments = segmentsOf(redacted);
  assert.equal(segments.length, segmentsOf(plain).length, 'same lines as without redaction');
  const phi = insightsOf(redacted).filter((i) => i.Category === 'PROTECTED_HEALTH_INFORMATION');
  for (const i of phi) {
    assertSpansMatch(redacted, i.Spans);
    for (const span of i.Spans) assert.match(span.Content, /^\[[A-Z_]+\]$/, 'a PHI span holds only its placeholder');
  }
  // The PHI the unredacted run found is gone from its line, and from the words.
  const words = new Set(redacted.Conversation.TranscriptItems.map((it) => it.Alternatives[0].Content));
  const before = new Map(segmentsOf(plain).map((s) => [s.SegmentId, s.Content]));
  const after = new Map(segments.map((s) => [s.SegmentId, s.Content]));
  const found = insightsOf(plain).filter((i) => i.Category === 'PROTECTED_HEALTH_INFORMATION').flatMap((i) => i.Spans);
  for (const span of found) {
    assert.ok(before.get(span.SegmentId).includes(span.Content));
    assert.ok(!after.get(span.SegmentId).includes(span.Content), 'the PHI text is no longer in its line');
    assert.ok(!words.has(span.Content), 'nor in TranscriptItems');
  }
  if (found.length === 0) {
    // Nothing to take out: redaction must then leave the text as it was.
    assert.deepEqual([...after.values()], [...before.values()]);
  }
  // Clinical terms that are not PHI stay.
  assert.ok(insightsOf(redacted).some((i) => i.Category === 'MEDICAL_CONDITION'));
});

test('the words heard live during transcription are redacted like the finished transcript', async () => {
  // The demo's sample visit opens with the patient's name.
  const sample = await readFile(new URL('../../www/sample/visit.flac', import.meta.url));
  const live = async (redact) => {
    const heard = [];
    const onProgress = (p) => { if (p.stage === 'transcribe') heard.push(...p.heard.map((h) => h.text)); };
    const { transcript } = await scribe.process(sample, { ...FAST, redact, onProgress });
    return { heard: heard.join(' '), transcript };
  };
  const open = await live(false);
  const names = insightsOf(open.transcript).filter((i) => i.Type === 'NAME').flatMap((i) => i.Spans.map((s) => s.Content));
  assert.ok(names.length > 0, 'the sample names someone');
  const closed = await live(true);
  for (const name of names) {
    assert.ok(open.heard.includes(name), `${name} is heard live without redaction`);
    assert.ok(!closed.heard.includes(name), `${name} is not shown live with redaction`);
  }
  assert.match(closed.heard, /\[NAME\]/);
  assert.equal(closed.heard.replace(/\[NAME\]/g, '').length > 0.8 * open.heard.length, true, 'the rest of the words still come');
});

test('clinical: false loads no clinical files: no insights, every section OTHER', async () => {
  const done = [];
  const light = await createScribe({
    modelBase: MODELS,
    clinical: false,
    onProgress: (e) => { if (e.status === 'done') done.push(e.file); },
  });
  try {
    for (const path of clinicalPaths()) assert.ok(!done.includes(path), `${path} is not loaded`);
    const { transcript } = await light.process(audio, FAST);
    assert.deepEqual(insightsOf(transcript), []);
    const segments = segmentsOf(transcript);
    assert.ok(segments.length >= 2);
    for (const s of segments) assert.equal(s.SectionDetails.SectionName, 'OTHER');
    // Without the files that find PHI, asking for redaction is refused rather than ignored.
    await assert.rejects(light.process(audio, { ...FAST, redact: true }), { code: 'SETTINGS_INVALID', message: /redaction needs the clinical files/ });
    await assert.rejects(light.noteFromText('[doctor] hi , martha .', { redact: true }), { code: 'SETTINGS_INVALID' });
  } finally {
    await light.dispose();
  }
});

test('clinical files are checked like the others: a wrong sha256 rejects, unless clinical: false', async () => {
  const models = await modelsWithCorruptFile(manifest.defaults.clinical.sections);
  try {
    await assert.rejects(createScribe({ modelBase: models }), { code: 'MODEL_CHECKSUM' });
    const light = await createScribe({ modelBase: models, clinical: false });
    await light.dispose();
  } finally {
    await rm(models, { recursive: true, force: true });
  }
});

test('a bad clinical setting is refused before anything loads', async () => {
  await assert.rejects(createScribe({ modelBase: MODELS, clinical: 'yes' }), { code: 'SETTINGS_INVALID' });
  await assert.rejects(scribe.process(audio, { redact: 'yes' }), { code: 'SETTINGS_INVALID' });
});

// The clinical note through the package: a language model chosen by manifest name (SmolLM2-135M) writes a
// note whose every sentence links to its evidence, streaming tokens, checked sentences and sentence counts
// through onProgress;
// rules, templates, the patient's pronouns, transcript objects, aborting mid-note, and the `llm` option's other forms.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { createScribe } from '../../pkg/index.js';
import { FIXTURES, MODELS, VISIT_A } from './helpers.mjs';

// The first 14 turns of an ACI-Bench visit (finger injury): enough for a chief complaint and two facts.
const DIALOGUE = (await readFile(join(FIXTURES, 'notes/D2N072.dialogue.txt'), 'utf8')).split('\n').slice(0, 14).join('\n');
const manifest = JSON.parse(await readFile(join(MODELS, 'manifest.json'), 'utf8'));

let scribe;
before(async () => { scribe = await createScribe({ modelBase: MODELS, llm: 'smollm2-135m' }); });
after(() => scribe?.dispose());

const sentencesOf = (doc) => doc.ClinicalDocumentation.Sections.flatMap((s) => s.Summary);

function assertEvidence(documentation, transcript, min = 2) {
  const ids = new Set(transcript.Conversation.TranscriptSegments.map((s) => s.SegmentId));
  const sentences = sentencesOf(documentation);
  assert.ok(sentences.length >= min, `got ${sentences.length} sentences`);
  for (const s of sentences) {
    assert.ok(s.SummarizedSegment.trim().length > 0);
    assert.ok(s.EvidenceLinks.length >= 1, `no evidence for "${s.SummarizedSegment}"`);
    for (const link of s.EvidenceLinks) assert.ok(ids.has(link.SegmentId), link.SegmentId);
  }
}

/**
 * The `{ status: 'sentence' }` events are the note's sentences as they stand in `documentation`: each names its
 * section and writer, and is followed by the count that includes it. They come in the order written (the
 * transcript's, after the chief complaint); put in the note's section order they are its sentences, in order.
 */
function assertSentenceEvents(events, documentation, { byModel } = {}) {
  const sentences = events.filter((e) => e.status === 'sentence');
  assert.ok(sentences.length >= 1, 'sentence events arrived');
  for (const e of sentences) {
    assert.equal(e.stage, 'note');
    assert.equal(typeof e.section, 'string');
    assert.ok(e.section.length > 0, 'the sentence names its section');
    assert.equal(typeof e.text, 'string');
    assert.equal(typeof e.byModel, 'boolean');
    if (byModel !== undefined) assert.equal(e.byModel, byModel);
    const next = events[events.indexOf(e) + 1];
    assert.equal(next?.status, 'progress', 'the count that includes it follows');
    assert.equal(next.stage, 'note');
  }
  const order = documentation.ClinicalDocumentation.Sections.map((sec) => sec.SectionName);
  for (const e of sentences) assert.ok(order.includes(e.section), `${e.section} is one of the note's sections`);
  const bySection = sentences.map((e) => [e.section, e.text])
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)); // stable: order within a section is kept
  const written = documentation.ClinicalDocumentation.Sections
    .flatMap((sec) => sec.Summary.map((s) => [sec.SectionName, s.SummarizedSegment]));
  assert.deepEqual(bySection, written, "the sentence events are the note's sentences, in order");
  if (order[0] === 'CHIEF_COMPLAINT') assert.equal(sentences[0].section, 'CHIEF_COMPLAINT', 'the chief complaint comes first');
}

test('llm: "smollm2-135m" writes a note with evidence for every sentence, streaming tokens', { timeout: 240_000 }, async () => {
  assert.equal(scribe.llm, 'smollm2-135m');
  const events = [];
  const { transcript, documentation } = await scribe.noteFromText(DIALOGUE, { onProgress: (e) => events.push(e) });
  assertEvidence(documentation, transcript);
  const tokens = events.filter((e) => e.status === 'token');
  assert.ok(tokens.length > 0, 'model tokens arrived');
  assert.ok(tokens.every((e) => e.stage === 'note' && typeof e.text === 'string'));
  const notes = events.filter((e) => e.status === 'progress');
  assert.ok(notes.every((e) => e.stage === 'note'));
  assert.deepEqual(notes[0], { status: 'progress', stage: 'note', sentencesWritten: 0 }, 'the note announces its start');
  const last = notes.at(-1);
  assert.equal(last.sentencesWritten, last.sentences, 'the last count is the whole note');
  assert.ok(events.indexOf(tokens[0]) < events.indexOf(last), 'tokens stream while the note is written');
  assertSentenceEvents(events, documentation);
});

test('useLlm: false writes by rules (no tokens); a template and a transcript object pass through', async () => {
  const first = await scribe.noteFromText(DIALOGUE, { useLlm: false });
  const events = [];
  const { transcript, documentation } = await scribe.noteFromText(first.transcript, {
    useLlm: false, template: 'SIRP', onProgress: (e) => events.push(e),
  });
  assertEvidence(documentation, transcript);
  assert.deepEqual(transcript.Conversation.TranscriptSegments.map((s) => s.Content),
    first.transcript.Conversation.TranscriptSegments.map((s) => s.Content));
  const names = documentation.ClinicalDocumentation.Sections.map((s) => s.SectionName);
  assert.ok(names.every((n) => ['SITUATION', 'INTERVENTION', 'RESPONSE', 'PLAN'].includes(n)), names.join(', '));
  assert.equal(events.filter((e) => e.status === 'token').length, 0);
  assertSentenceEvents(events, documentation, { byModel: false });
  await assert.rejects(scribe.noteFromText(DIALOGUE, { template: 'NOPE' }), { code: 'SETTINGS_INVALID' });
  await assert.rejects(scribe.noteFromText(42), { code: 'INPUT_INVALID' });
});

test('patientPronouns replaces the guess in the note; an unknown value is refused', async () => {
  // The clinician speaks of "ms. thompson … a 43 year old female": guessed, the note says "she".
  const visit = await readFile(join(FIXTURES, 'notes/D2N069.dialogue.txt'), 'utf8');
  const openings = async (options) => {
    const { documentation } = await scribe.noteFromText(visit, { useLlm: false, ...options });
    const sentences = sentencesOf(documentation).map((s) => s.SummarizedSegment);
    const count = (word) => sentences.filter((t) => t.startsWith(`${word} `)).length;
    return { he: count('He'), she: count('She'), patient: count('The patient') };
  };
  const guessed = await openings({});
  assert.ok(guessed.she >= 3 && guessed.he === 0, JSON.stringify(guessed));
  assert.deepEqual(await openings({ patientPronouns: 'HE_HIM' }), { he: guessed.she, she: 0, patient: guessed.patient });
  const they = await openings({ patientPronouns: 'THEY_THEM' });
  assert.ok(they.he === 0 && they.she === 0 && they.patient >= guessed.she, JSON.stringify(they));
  await assert.rejects(scribe.noteFromText(visit, { patientPronouns: 'she/her' }),
    (e) => e.code === 'SETTINGS_INVALID' && /HE_HIM, SHE_HER or THEY_THEM/.test(e.message));
});

test('process() returns the documentation too: template and useLlm pass through, stages in order', { timeout: 120_000 }, async () => {
  const stages = [];
  const { transcript, documentation } = await scribe.process(await readFile(VISIT_A), {
    template: 'DAP', useLlm: false, onProgress: (e) => stages.push(`${e.status}:${e.stage}`),
  });
  // Visit A's 33 s hold one complaint, said across three recognised segments: one item, written whole.
  assertEvidence(documentation, transcript, 1);
  const data = sentencesOf(documentation).map((s) => s.SummarizedSegment).join(' ');
  assert.match(data, /diarrh\w* for the (last|past) three days/i);
  const names = documentation.ClinicalDocumentation.Sections.map((s) => s.SectionName);
  assert.ok(names.every((n) => ['DATA', 'ASSESSMENT', 'PLAN'].includes(n)), names.join(', '));
  assert.equal(stages[0], 'progress:transcribe');
  assert.ok(stages.indexOf('progress:note') > stages.lastIndexOf('progress:transcribe'), 'the note comes last');
  assert.ok(!stages.includes('token:note'), 'rules write no tokens');
  const plain = await scribe.process(await readFile(VISIT_A), { note: false, beamSize: 1 });
  assert.equal(plain.documentation, undefined);
});

test('aborting while the model writes rejects with AbortError, and the scribe carries on', { timeout: 120_000 }, async () => {
  const controller = new AbortController();
  let tokens = 0;
  await assert.rejects(scribe.noteFromText(DIALOGUE, {
    signal: controller.signal,
    onProgress: (e) => { if (e.status === 'token' && ++tokens === 1) controller.abort(); },
  }), (e) => e.name === 'AbortError');
  assert.equal(tokens, 1, 'no token after the abort');
  const { documentation } = await scribe.noteFromText(DIALOGUE, { useLlm: false });
  assert.ok(sentencesOf(documentation).length >= 2);
});

test('llm: none by default; unknown names are refused; a GGUF by path loads without a manifest entry', { timeout: 120_000 }, async () => {
  const plain = await createScribe({ modelBase: MODELS, clinical: false });
  assert.equal(plain.llm, null);
  await plain.dispose();
  await assert.rejects(createScribe({ modelBase: MODELS, clinical: false, llm: 'gpt-9' }),
    (e) => e.code === 'SETTINGS_INVALID' && /smollm2-135m/.test(e.message));
  // Any file that is not a GGUF is refused before the core sees it.
  await assert.rejects(createScribe({ modelBase: MODELS, clinical: false, llm: join(MODELS, 'manifest.json') }), { code: 'MODEL_INVALID' });
  const path = join(MODELS, manifest.files.find((f) => f.id === manifest.llm['smollm2-135m']).path);
  const seen = [];
  const custom = await createScribe({ modelBase: MODELS, clinical: false, llm: path, onProgress: (e) => seen.push(e) });
  try {
    assert.equal(custom.llm, basename(path));
    assert.ok(seen.some((e) => e.status === 'done' && e.file === path));
    assert.deepEqual(seen.at(-1), { status: 'ready', asr: manifest.defaults.asr, llm: custom.llm });
  } finally {
    await custom.dispose();
  }
});

// Qwen2.5-0.5B runs on Bedside's own SIMD block kernels in wasm (src/llm/blockmat.rs), not candle's: a model
// sentence that passes the fact check shows the kernels compute what the weights say (a wrong kernel gives
// garbage, which the check rejects). A short excerpt keeps this to a few model calls.
test('qwen2.5-coder-0.5b writes checked sentences in wasm (Bedside SIMD kernels)', { timeout: 300_000 }, async () => {
  const qwen = await createScribe({ modelBase: MODELS, llm: 'qwen2.5-coder-0.5b' });
  try {
    const events = [];
    const text = [
      // The patient's pronouns are the guess from "mr."; a model sentence with another ("her head") is replaced.
      '[doctor] what brings you in today, mr. jones?',
      "[patient] i've had a headache on the right side of my head for three days, and ibuprofen hasn't helped.",
      '[doctor] any nausea or vomiting?',
      '[patient] some nausea, no vomiting.',
    ].join('\n');
    const { transcript, documentation } = await qwen.noteFromText(text, { onProgress: (e) => events.push(e) });
    assertSentenceEvents(events, documentation);
    const byModel = events.filter((e) => e.status === 'sentence' && e.byModel);
    assert.ok(byModel.length >= 1, 'at least one sentence worded by the model passed the check');
    assert.ok(byModel.some((e) => /headache/i.test(e.text)), byModel.map((e) => e.text).join(' | '));
    assert.ok(events.some((e) => e.status === 'token'));
    const ids = new Set(transcript.Conversation.TranscriptSegments.map((s) => s.SegmentId));
    for (const s of sentencesOf(documentation)) assert.ok(s.EvidenceLinks.every((l) => ids.has(l.SegmentId)));
  } finally {
    await qwen.dispose();
  }
});

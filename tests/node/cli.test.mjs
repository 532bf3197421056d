// pkg/bin/bedside.mjs behaves like the native CLI: transcript.json, summary.json and note.txt on success
// (transcript.json only with --no-note); exit 1, a coded message and no output file on failure.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CLI, ROOT, VISIT_A, modelsWithCorruptFile, segmentsOf } from './helpers.mjs';

const run = (args) => promisify(execFile)(process.execPath, [CLI, ...args], { cwd: ROOT })
  .then(({ stdout, stderr }) => ({ code: 0, stdout, stderr }), (e) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

let scratch;
before(async () => { scratch = await mkdtemp(join(tmpdir(), 'bedside-cli-')); });
after(() => rm(scratch, { recursive: true, force: true }));

test('process writes DIR/transcript.json, summary.json and note.txt, and nothing else', async () => {
  const out = join(scratch, 'ok', 'nested');
  const r = await run(['process', VISIT_A, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['note.txt', 'summary.json', 'transcript.json']);
  const transcript = JSON.parse(await readFile(join(out, 'transcript.json'), 'utf8'));
  assert.equal(transcript.Conversation.JobName, 'audio');
  assert.ok(segmentsOf(transcript).length >= 2);
  assert.match(r.stderr, /transcribed 33\.\d s of audio/);
  // Sections and clinical terms are on by default.
  assert.ok(transcript.Conversation.ClinicalInsights.some((i) => i.Category === 'MEDICAL_CONDITION'));

  // The note (by rules: --llm defaults to none): every sentence links to transcript segments.
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
  const ids = new Set(segmentsOf(transcript).map((s) => s.SegmentId));
  const sections = summary.ClinicalDocumentation.Sections;
  const sentences = sections.flatMap((sec) => sec.Summary);
  assert.ok(sentences.length >= 1, 'the note has sentences');
  for (const s of sentences) {
    assert.ok(s.SummarizedSegment.trim().length > 0);
    assert.ok(s.EvidenceLinks.length >= 1, `no evidence for sentence ${sentences.indexOf(s)}`);
    for (const link of s.EvidenceLinks) assert.ok(ids.has(link.SegmentId), link.SegmentId);
  }
  // note.txt: each section's heading in capitals, then its sentences.
  const text = await readFile(join(out, 'note.txt'), 'utf8');
  assert.equal(text, sections.map((sec) => `${sec.SectionName.replace(/_/g, ' ')}\n\n${sec.Summary.map((s) => s.SummarizedSegment).join(' ')}\n`).join('\n'));
  // Progress counts the note's sentences; the logs never carry what was said or written.
  assert.match(r.stderr, new RegExp(`note: ${sentences.length}/\\d+ sentences`));
  assert.match(r.stderr, /wrote a \d+-sentence note \(rules\)/);
  for (const said of [...segmentsOf(transcript).map((s) => s.Content), ...sentences.map((s) => s.SummarizedSegment)]) {
    assert.ok(!r.stderr.includes(said), 'no transcript or note text in the logs');
  }
});

test('--no-clinical skips sections and terms, and refuses --redact; --no-note writes transcript.json only', async () => {
  const refused = await run(['process', VISIT_A, '--out', join(scratch, 'unredacted'), '--no-clinical', '--redact']);
  assert.equal(refused.code, 2, 'without the clinical files nothing could be redacted');
  assert.match(refused.stderr, /--redact needs the clinical files/);
  assert.deepEqual(await readdir(join(scratch, 'unredacted')).catch(() => []), []);
  const out = join(scratch, 'light');
  const r = await run(['process', VISIT_A, '--out', out, '--no-clinical', '--beam-size', '1', '--no-note']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await readdir(out), ['transcript.json']);
  assert.doesNotMatch(r.stderr, /note:/);
  const transcript = JSON.parse(await readFile(join(out, 'transcript.json'), 'utf8'));
  assert.deepEqual(transcript.Conversation.ClinicalInsights, []);
  assert.ok(segmentsOf(transcript).every((s) => s.SectionDetails.SectionName === 'OTHER'));
});

async function failsCleanly(args, out, code) {
  const r = await run([...args, '--out', out]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`bedside: error \\[${code}\\]: \\S`));
  assert.deepEqual(await readdir(out).catch(() => []), [], 'no output on failure');
}

test('bytes that are not audio: exit 1, AUDIO_INVALID, no output', async () => {
  const bad = join(scratch, 'notes.wav');
  await writeFile(bad, 'these are notes, not a recording\n');
  await failsCleanly(['process', bad], join(scratch, 'bad'), 'AUDIO_INVALID');
});

test('an empty file: exit 1, coded error, no output', async () => {
  const empty = join(scratch, 'empty.wav');
  await writeFile(empty, '');
  await failsCleanly(['process', empty], join(scratch, 'empty'), 'AUDIO_(INVALID|EMPTY)');
});

test('a model file with a wrong checksum: exit 1, MODEL_CHECKSUM, no output', async () => {
  const models = await modelsWithCorruptFile('whisper-tiny.en-tokenizer');
  try {
    await failsCleanly(['process', VISIT_A, '--models', models], join(scratch, 'corrupt'), 'MODEL_CHECKSUM');
  } finally {
    await rm(models, { recursive: true, force: true });
  }
});

test('an unknown --template: exit 1, SETTINGS_INVALID naming the known templates, no output', async () => {
  const out = join(scratch, 'template');
  const r = await run(['process', VISIT_A, '--out', out, '--template', 'POEM', '--beam-size', '1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bedside: error \[SETTINGS_INVALID\]: .*POEM.*HISTORY_AND_PHYSICAL/);
  assert.deepEqual(await readdir(out).catch(() => []), [], 'no output on failure');
});

test('a missing audio file is an IO error; bad usage exits 2 with the usage text', async () => {
  await failsCleanly(['process', join(scratch, 'nope.wav')], join(scratch, 'missing'), 'IO');
  const r = await run(['process', VISIT_A]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--out DIR is required/);
  assert.match(r.stderr, /usage: bedside process/);
});

test('--vocabulary-filter FILE tags a word said; a missing list is IO, a method without a filter is usage', async () => {
  const list = join(scratch, 'filter.txt');
  await writeFile(list, '# tagged for review\ndiarrhea\n');
  const out = join(scratch, 'tagged');
  const r = await run(['process', VISIT_A, '--out', out, '--no-note', '--beam-size', '1', '--vocabulary-filter', list, '--vocabulary-filter-method', 'tag']);
  assert.equal(r.code, 0, r.stderr);
  const transcript = JSON.parse(await readFile(join(out, 'transcript.json'), 'utf8'));
  const tagged = transcript.Conversation.TranscriptItems.filter((i) => i.VocabularyFilterMatch).map((i) => i.Alternatives[0].Content.toLowerCase());
  assert.ok(tagged.length >= 2 && tagged.every((w) => w === 'diarrhea'), tagged.join(','));
  await failsCleanly(['process', VISIT_A, '--vocabulary', join(scratch, 'no-such-list.txt')], join(scratch, 'nolist'), 'IO');
  const usage = await run(['process', VISIT_A, '--out', join(scratch, 'method'), '--vocabulary-filter-method', 'mask']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /needs --vocabulary-filter/);
});

const DIALOGUE = join(ROOT, 'tests/fixtures/notes/D2N069.dialogue.txt');

test('note reads a dialogue: sections, entities and a note whose sentences link to its lines', async () => {
  const out = join(scratch, 'note-dialogue');
  const r = await run(['note', DIALOGUE, '--out', out, '--template', 'PHYSICAL_SOAP']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), ['note.txt', 'summary.json', 'transcript.json']);
  const transcript = JSON.parse(await readFile(join(out, 'transcript.json'), 'utf8'));
  const turns = (await readFile(DIALOGUE, 'utf8')).split('\n').filter((l) => /^\[(doctor|patient)\]/.test(l.trim()));
  const segments = segmentsOf(transcript);
  assert.equal(segments.length, turns.length, 'one segment per dialogue line');
  const sections = new Set(segments.map((s) => s.SectionDetails.SectionName));
  for (const name of ['SUBJECTIVE', 'OBJECTIVE', 'ASSESSMENT_AND_PLAN']) assert.ok(sections.has(name), name);
  assert.ok(transcript.Conversation.ClinicalInsights.some((i) => i.Category === 'MEDICATION'));
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
  const headings = summary.ClinicalDocumentation.Sections.map((s) => s.SectionName);
  assert.ok(headings.includes('SUBJECTIVE') && headings.includes('PLAN'), headings.join(','));
  const ids = new Set(segments.map((s) => s.SegmentId));
  for (const s of summary.ClinicalDocumentation.Sections.flatMap((sec) => sec.Summary)) {
    assert.ok(s.EvidenceLinks.length >= 1 && s.EvidenceLinks.every((l) => ids.has(l.SegmentId)));
    assert.ok(!r.stderr.includes(s.SummarizedSegment), 'no note text in the logs');
  }
  assert.match(r.stderr, new RegExp(`read ${turns.length} segments`));

  // An edited transcript.json goes back in: the edit is what the note and the entities read.
  const edited = structuredClone(transcript);
  const seg = segmentsOf(edited).find((s) => s.ParticipantDetails.ParticipantRole.startsWith('PATIENT'));
  seg.Content = 'I have been taking metformin five hundred milligrams twice a day.';
  const editedPath = join(scratch, 'edited.json');
  await writeFile(editedPath, JSON.stringify(edited));
  const again = join(scratch, 'note-edited');
  const r2 = await run(['note', editedPath, '--out', again, '--no-note', '--redact']);
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(await readdir(again), ['transcript.json']);
  const t2 = JSON.parse(await readFile(join(again, 'transcript.json'), 'utf8'));
  const metformin = t2.Conversation.ClinicalInsights.find((i) => i.Spans[0].Content.toLowerCase() === 'metformin');
  assert.ok(metformin, 'the edited turn was read');
  assert.equal(metformin.Spans[0].SegmentId, seg.SegmentId);
});

test('note --patient-pronouns: the note says "he" of Ms. Thompson when told to; an unknown value writes nothing', async () => {
  // How many of the note's sentences open with "He " and with "She ".
  const openings = async (name, extra) => {
    const out = join(scratch, name);
    const r = await run(['note', DIALOGUE, '--out', out, ...extra]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8'));
    const texts = summary.ClinicalDocumentation.Sections.flatMap((s) => s.Summary.map((x) => x.SummarizedSegment));
    return ['He ', 'She '].map((w) => texts.filter((t) => t.startsWith(w)).length);
  };
  const [guessedHe, guessedShe] = await openings('pronouns-guessed', []);
  assert.ok(guessedHe === 0 && guessedShe >= 3, 'guessed from "ms. thompson … female"');
  assert.deepEqual(await openings('pronouns-he', ['--patient-pronouns', 'HE_HIM']), [guessedShe, 0]);
  const out = join(scratch, 'pronouns-bad');
  const r = await run(['note', DIALOGUE, '--out', out, '--patient-pronouns', 'him']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[SETTINGS_INVALID\]: .*patient pronouns `him`/);
  assert.deepEqual(await readdir(out).catch(() => []), [], 'no output on failure');
});

test('note: text that is no transcript fails cleanly; audio options are refused', async () => {
  const junk = join(scratch, 'junk.json');
  await writeFile(junk, '{"Conversation": 42}');
  const r = await run(['note', junk, '--out', join(scratch, 'junk-out')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bedside: error \[\w+\]: \S/);
  assert.deepEqual(await readdir(join(scratch, 'junk-out')).catch(() => []), [], 'no output on failure');
  const usage = await run(['note', DIALOGUE, '--out', join(scratch, 'x'), '--beam-size', '1']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--beam-size is for process/);
});

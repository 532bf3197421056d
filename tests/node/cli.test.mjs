// pkg/bin/bedside.mjs behaves like the native CLI: transcript.json on success; exit 1, a coded message
// and no output file on failure.
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

test('process writes DIR/transcript.json and nothing else', async () => {
  const out = join(scratch, 'ok', 'nested');
  const r = await run(['process', VISIT_A, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await readdir(out), ['transcript.json']);
  const transcript = JSON.parse(await readFile(join(out, 'transcript.json'), 'utf8'));
  assert.equal(transcript.Conversation.JobName, 'audio');
  assert.ok(segmentsOf(transcript).length >= 2);
  assert.match(r.stderr, /transcribed 33\.\d s of audio/);
  // Sections and clinical terms are on by default.
  assert.ok(transcript.Conversation.ClinicalInsights.some((i) => i.Category === 'MEDICAL_CONDITION'));
});

test('--no-clinical skips sections and terms; --redact is accepted', async () => {
  const out = join(scratch, 'light');
  const r = await run(['process', VISIT_A, '--out', out, '--no-clinical', '--redact', '--beam-size', '1']);
  assert.equal(r.code, 0, r.stderr);
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

test('a missing audio file is an IO error; bad usage exits 2 with the usage text', async () => {
  await failsCleanly(['process', join(scratch, 'nope.wav')], join(scratch, 'missing'), 'IO');
  const r = await run(['process', VISIT_A]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--out DIR is required/);
  assert.match(r.stderr, /usage: bedside process/);
});

// The wasm build and the native build read the same recording the same way. Their float kernels differ
// (AVX vs wasm SIMD accumulate in different orders), so a near-tie can go either way: the texts must agree
// to within a few words and the word times to within a few frames.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CLI, FIXTURES, ROOT, textOf, wer } from './helpers.mjs';

const exec = promisify(execFile);
const nativeBin = join(process.env.CARGO_TARGET_DIR || join(ROOT, 'target'), 'release', 'bedside');

let scratch;
before(async () => { scratch = await mkdtemp(join(tmpdir(), 'bedside-parity-')); });
after(() => rm(scratch, { recursive: true, force: true }));

for (const clip of ['visit_a/audio.wav', 'visit_b/audio.wav']) {
  test(`wasm and native agree on ${clip}`, async () => {
    assert.ok(existsSync(nativeBin), `native CLI not built at ${nativeBin} (make native)`);
    const audio = join(FIXTURES, clip);
    const nativeOut = join(scratch, clip.replace('/', '-'), 'native');
    const wasmOut = join(scratch, clip.replace('/', '-'), 'wasm');
    await exec(nativeBin, ['process', audio, '--out', nativeOut], { cwd: ROOT });
    await exec(process.execPath, [CLI, 'process', audio, '--out', wasmOut], { cwd: ROOT });
    const n = JSON.parse(await readFile(join(nativeOut, 'transcript.json'), 'utf8'));
    const w = JSON.parse(await readFile(join(wasmOut, 'transcript.json'), 'utf8'));
    assert.ok(wer(textOf(n), textOf(w)) <= 0.05, `texts differ:\n${textOf(n)}\n${textOf(w)}`);
    const ns = n.Conversation.TranscriptSegments;
    const ws = w.Conversation.TranscriptSegments;
    assert.equal(ws.length, ns.length);
    ns.forEach((s, i) => {
      assert.ok(Math.abs(s.BeginAudioTime - ws[i].BeginAudioTime) < 0.5, `segment ${i} starts differ`);
      assert.ok(Math.abs(s.EndAudioTime - ws[i].EndAudioTime) < 0.5, `segment ${i} ends differ`);
    });
  });
}

// Shared helpers for the Node tests: paths, word error rate, and a scratch copy of the model folder.

import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const MODELS = join(ROOT, 'models');
export const FIXTURES = join(ROOT, 'tests/fixtures');
export const VISIT_A = join(FIXTURES, 'visit_a/audio.wav');
export const SHORT_CLIP = join(FIXTURES, 'audio/speech_then_silence.wav');
export const LONG_CLIP = join(FIXTURES, 'long_120s/audio.flac');
export const CLI = join(ROOT, 'pkg/bin/bedside.mjs');

export async function truthOf(fixture) {
  return JSON.parse(await readFile(join(FIXTURES, fixture, 'truth.json'), 'utf8'));
}

export function normalizeWords(text) {
  return text.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').replace(/'/g, '').split(/\s+/).filter(Boolean);
}

/** Word error rate: word-level edit distance over the reference length. */
export function wer(reference, hypothesis) {
  const ref = normalizeWords(reference);
  const hyp = normalizeWords(hypothesis);
  if (ref.length === 0) return hyp.length === 0 ? 0 : 1;
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hyp.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[hyp.length] / ref.length;
}

export const segmentsOf = (transcript) => transcript.Conversation.TranscriptSegments;
export const textOf = (transcript) => segmentsOf(transcript).map((s) => s.Content).join(' ');

/**
 * A scratch model folder: links to the real files, except `corrupt` (a file id) which is copied with
 * one byte changed (same size, wrong sha256), so only the checksum can catch it.
 */
export async function modelsWithCorruptFile(corrupt) {
  const manifest = JSON.parse(await readFile(join(MODELS, 'manifest.json'), 'utf8'));
  const dir = await mkdtemp(join(tmpdir(), 'bedside-models-'));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  for (const f of manifest.files) {
    if (f.id === corrupt) {
      const bytes = await readFile(join(MODELS, f.path));
      bytes[bytes.length >> 1] ^= 0xff;
      await writeFile(join(dir, f.path), bytes);
    } else {
      await symlink(join(MODELS, f.path), join(dir, f.path));
    }
  }
  return dir;
}

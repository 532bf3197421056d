// Memory of long recordings in the wasm build (Node, one thread). wasm32 has a 4 GiB address space and
// its memory never shrinks, so what decides whether a visit fits is the peak: the models, the 16 kHz audio,
// the spectrogram and the decoder's working memory. Each case runs in its own process (a fresh wasm
// memory): it loads the recognizer, VAD and clinical models, hands `beginPcm` the sample visit's speech
// (tests/fixtures/visit_a, PriMock57) tiled to the case's length at 48 kHz (each 16 kHz sample held for
// three: the resampler's work and copies are what is measured, not the sound), on one channel or on two
// (a telehealth call, channel identification), then recognises two 30-s windows. A case ending in `w`
// (`120x2w`) hands the same audio over as the bytes of a 16-bit WAV file (`beginBytes`) instead. It prints
// one JSON line per case: seconds to begin, wasm memory after loading, after beginning and after the two
// windows, or the error code when the recording is refused.
//   node bench/long-recording.mjs                  default cases
//   node bench/long-recording.mjs 60x2 240x1       minutes x channels
//   node bench/long-recording.mjs --pkg DIR ...     another build's pkg/wasm folder (to compare two builds)
//   BENCH_RATE=16000 node bench/long-recording.mjs  audio already at 16 kHz (what the demo hands over)
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { modelFiles } from './model-files.mjs';
import { wavBytes } from '../tests/wav.mjs';

const RATE = Number(process.env.BENCH_RATE ?? 48_000);
const here = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const pkgAt = args.indexOf('--pkg');
const pkgDir = resolve(pkgAt >= 0 ? args.splice(pkgAt, 2)[1] : 'pkg/wasm');

if (args[0] === '--case') {
  const [minutes, channels] = args[1].replace(/w$/, '').split('x').map(Number);
  const glue = await import(join(pkgDir, 'bedside.js'));
  console.log(JSON.stringify({ case: args[1], ...runCase(glue, minutes, channels, args[1].endsWith('w')) }));
} else {
  const cases = args.length ? args : ['60x1', '60x2', '120x2', '240x1', '121x2', '120x2w'];
  for (const c of cases) {
    // A trap or an out-of-memory kill ends only the child; the others still run.
    try {
      process.stdout.write(execFileSync(process.execPath, [here, '--pkg', pkgDir, '--case', c], { encoding: 'utf8', maxBuffer: 1 << 20 }));
    } catch (e) {
      console.log(JSON.stringify({ case: c, crashed: (e.stderr || String(e)).split('\n').find((l) => /Error/.test(l)) ?? 'exit ' + e.status }));
    }
  }
}

function runCase({ initSync, WasmScribe }, minutes, nChannels, asWav) {
  const wasm = initSync({ module: readFileSync(join(pkgDir, 'bedside_bg.wasm')) });
  const memory = () => +(wasm.memory.buffer.byteLength / 1e9).toFixed(2);
  const { recognizer, clinical } = modelFiles();
  const scribe = new WasmScribe({ ...recognizer, ...clinical });
  const out = { minutes, channels: nChannels, rateHz: RATE, input: asWav ? '16-bit WAV bytes' : 'PCM', loadedGB: memory() };
  const speech = pcm16(readFileSync(resolve('tests/fixtures/visit_a/audio.wav')));
  const frames = Math.round(minutes * 60 * RATE);
  const channels = [...Array(nChannels)].map((_, k) => {
    const a = new Float32Array(frames);
    // The second channel starts elsewhere in the visit, so the two sides differ as on a real call.
    const offset = k * Math.floor(speech.length / 2);
    for (let i = 0; i < frames; i++) a[i] = speech[(Math.floor(i * 16_000 / RATE) + offset) % speech.length];
    return a;
  });
  const options = nChannels === 2
    ? { channelDefinitions: [{ channelId: 0, participantRole: 'CLINICIAN' }, { channelId: 1, participantRole: 'PATIENT' }] }
    : {};
  const t = performance.now();
  try {
    if (asWav) scribe.beginBytes(wavBytes(channels, RATE), options);
    else scribe.beginPcm(channels, RATE, options);
  } catch (e) {
    // A coded error is a refusal; anything else (a trap when memory runs out) is a failure.
    return e.code ? { ...out, refused: e.code, message: e.message } : { ...out, failed: String(e) };
  }
  out.beginSeconds = +((performance.now() - t) / 1000).toFixed(1);
  out.afterBeginGB = memory();
  for (let i = 0; i < 2; i++) scribe.step();
  out.afterTwoWindowsGB = memory();
  return out;
}

/** Samples of a 16-bit PCM mono WAV, as floats. */
function pcm16(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = bytes.toString('ascii', at, at + 4);
    const size = view.getUint32(at + 4, true);
    if (id === 'data') {
      const n = Math.floor(size / 2);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(at + 8 + 2 * i, true) / 32768;
      return out;
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

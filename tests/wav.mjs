// One WAV writer for the tests and benches that hand the core or the demo made-up recordings.

/** A 16-bit PCM WAV file holding `channels` (Float32Arrays of one length, −1…1) at `rate`. */
export function wavBytes(channels, rate) {
  const n = channels.length;
  const frames = channels[0].length;
  const out = Buffer.alloc(44 + frames * n * 2);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + frames * n * 2, 4);
  out.write('WAVEfmt ', 8, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(n, 22);
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * n * 2, 28);
  out.writeUInt16LE(n * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(frames * n * 2, 40);
  // A typed array, not writeInt16LE per sample: the long-recording bench writes hours of audio. WAV is
  // little-endian, as every host Node runs this on is.
  const pcm = new Int16Array(out.buffer, out.byteOffset + 44, frames * n);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < n; c++) pcm[i * n + c] = Math.max(-32768, Math.min(32767, Math.round(channels[c][i] * 32768)));
  }
  return out;
}

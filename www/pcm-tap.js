// AudioWorklet processor: hands the microphone's samples to the page in pieces of about a tenth of a
// second (the render thread calls it every 128 frames; one message per call would be ~375 a second).

const PIECE_FRAMES = 4096;

class PcmTap extends AudioWorkletProcessor {
  #piece = new Float32Array(PIECE_FRAMES);
  #filled = 0;

  process(inputs) {
    const samples = inputs[0]?.[0]; // the node downmixes to one channel; no input yet while the mic starts
    if (!samples) return true;
    let at = 0;
    while (at < samples.length) {
      const n = Math.min(samples.length - at, PIECE_FRAMES - this.#filled);
      this.#piece.set(samples.subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled === PIECE_FRAMES) {
        this.port.postMessage(this.#piece, [this.#piece.buffer]);
        this.#piece = new Float32Array(PIECE_FRAMES);
        this.#filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('pcm-tap', PcmTap);

// AudioWorklet processor: hands the recording's samples to the page in pieces of about a tenth of a second
// (the render thread calls it every 128 frames; one message per call would be ~375 a second). One channel is
// posted as a Float32Array, several as an array of them (a telehealth call: each side on its own channel).

const PIECE_FRAMES = 4096;

class PcmTap extends AudioWorkletProcessor {
  #channels;
  #pieces;
  #filled = 0;

  constructor({ processorOptions }) {
    super();
    this.#channels = processorOptions?.channels ?? 1;
    this.#pieces = this.#fresh();
  }

  #fresh() {
    return Array.from({ length: this.#channels }, () => new Float32Array(PIECE_FRAMES));
  }

  process(inputs) {
    // The node mixes its input to `channels`; there is no input yet while the sources start.
    const input = inputs[0];
    if (!input || input.length < this.#channels) return true;
    const frames = input[0].length;
    let at = 0;
    while (at < frames) {
      const n = Math.min(frames - at, PIECE_FRAMES - this.#filled);
      for (let c = 0; c < this.#channels; c++) this.#pieces[c].set(input[c].subarray(at, at + n), this.#filled);
      this.#filled += n;
      at += n;
      if (this.#filled === PIECE_FRAMES) {
        const pieces = this.#pieces;
        const message = pieces.length === 1 ? pieces[0] : pieces;
        this.port.postMessage(message, pieces.map((p) => p.buffer));
        this.#pieces = this.#fresh();
        this.#filled = 0;
      }
    }
    return true;
  }
}

registerProcessor('pcm-tap', PcmTap);

// Plays one stretch of a recording. Decoding once into an AudioBuffer makes seeking exact for every
// format, including MediaRecorder's webm, which has no index to seek by.

export class ClipPlayer {
  #blob;
  #ctx = null;
  #buffer = null;
  #source = null;

  constructor(blob) {
    this.#blob = blob;
  }

  /** Plays [beginS, endS); `onEnd` runs when it stops for any reason. */
  async play(beginS, endS, onEnd) {
    this.stop();
    // Created on first use: browsers only let audio start after a user gesture.
    this.#ctx ??= new AudioContext();
    this.#buffer ??= await this.#ctx.decodeAudioData(await this.#blob.arrayBuffer());
    await this.#ctx.resume();
    const source = this.#ctx.createBufferSource();
    source.buffer = this.#buffer;
    source.connect(this.#ctx.destination);
    source.onended = () => {
      if (this.#source === source) this.#source = null;
      onEnd?.();
    };
    this.#source = source;
    source.start(0, beginS, Math.max(0, endS - beginS));
  }

  stop() {
    this.#source?.stop();
    this.#source = null;
  }

  close() {
    this.stop();
    this.#ctx?.close().catch(() => {});
    this.#ctx = null;
  }
}

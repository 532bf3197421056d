// How loud each recorded channel is, while recording: one meter per channel, so the clinician sees at once that
// the microphone (and, for a call, the shared tab) is heard, and a line when one of them stays silent, which
// would otherwise show only as an empty transcript a minute later (a muted microphone, the wrong tab shared).

const SILENT_RMS = 0.003; // about −50 dBFS: below this a piece counts as silence
const SILENT_AFTER_S = 15;
const REDRAW_MS = 100;

/** dBFS from −60 to 0 as 0…1, for a meter. */
const level = (rms) => Math.max(0, Math.min(1, (20 * Math.log10(Math.max(rms, 1e-6)) + 60) / 60));

function rmsOf(samples) {
  let sum = 0;
  for (const x of samples) sum += x * x;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

export class LevelMeters {
  #box;
  #hint;
  #channels = []; // { meter, silentText, peak, heard }
  #started = 0;
  #pausedAt = 0;
  #drawn = 0;

  constructor({ box, hint }) {
    this.#box = box;
    this.#hint = hint;
  }

  /** Shows one meter per channel: `[{ label, silentText }]`, in channel order. */
  start(channels) {
    this.#box.replaceChildren();
    this.#channels = channels.map(({ label, silentText }, c) => {
      const id = `level-${c}`;
      const name = document.createElement('label');
      name.htmlFor = id;
      name.textContent = label;
      const meter = document.createElement('meter');
      meter.id = id;
      Object.assign(meter, { min: 0, max: 1, low: 0.25, high: 0.9, optimum: 0.6, value: 0 });
      this.#box.append(name, meter);
      return { meter, silentText, peak: 0, heard: false };
    });
    this.#started = performance.now();
    this.#box.hidden = false;
    this.#hint.hidden = true;
  }

  /** One piece of recorded samples: a Float32Array, or one per channel. */
  add(samples) {
    if (!this.#channels.length) return;
    const pieces = Array.isArray(samples) ? samples : [samples];
    pieces.forEach((piece, c) => {
      const channel = this.#channels[c];
      if (!channel) return;
      const rms = rmsOf(piece);
      channel.peak = Math.max(channel.peak, rms);
      channel.heard ||= rms > SILENT_RMS;
    });
    const now = performance.now();
    if (now - this.#drawn < REDRAW_MS) return;
    this.#drawn = now;
    for (const channel of this.#channels) {
      channel.meter.value = level(channel.peak);
      channel.peak = 0;
    }
    const silent = now - this.#started > SILENT_AFTER_S * 1000 ? this.#channels.filter((c) => !c.heard) : [];
    this.#hint.textContent = silent.map((c) => c.silentText).join(' ');
    this.#hint.hidden = silent.length === 0;
  }

  /** Recording is held: the meters fall to zero, and the time to a silence hint stops running. */
  pause() {
    this.#pausedAt = performance.now();
    for (const channel of this.#channels) channel.meter.value = 0;
    this.#hint.hidden = true;
  }

  resume() {
    if (this.#pausedAt) this.#started += performance.now() - this.#pausedAt;
    this.#pausedAt = 0;
  }

  stop() {
    this.#pausedAt = 0;
    this.#channels = [];
    this.#box.replaceChildren();
    this.#box.hidden = true;
    this.#hint.hidden = true;
  }
}

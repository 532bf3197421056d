// Work that leaving the page would lose, so that the browser asks first: a recording or a job under way, the
// transcript of a recording (its audio lives only in this page) until it is downloaded, and a reviewer's
// corrections (lines, speakers, note sentences) until they are downloaded or copied. A visit transcribed
// from a file and left as the scribe wrote it can be made again, so it leaves without a question. Starting
// another visit asks too (`pending`), since it replaces the one on screen.

export class UnsavedWork {
  #pending = new Set(); // 'transcript', 'note'

  /** `busy()`: whether a recording or a job is under way. */
  constructor(busy) {
    window.addEventListener('beforeunload', (event) => {
      if (!busy() && this.#pending.size === 0) return;
      event.preventDefault();
      event.returnValue = ''; // older Chromium asks only when this is set
    });
  }

  /** Whether a recording's transcript or a reviewer's corrections are not saved anywhere else. */
  get pending() {
    return this.#pending.size > 0;
  }

  /** A new visit: what was pending belonged to the one it replaces. */
  reset() {
    this.#pending.clear();
  }

  /** `what`, 'transcript' or 'note', now holds work not saved anywhere else. */
  changed(what) {
    this.#pending.add(what);
  }

  /** `what` was downloaded (or the note copied). */
  saved(what) {
    this.#pending.delete(what);
  }
}

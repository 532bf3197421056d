// A note sentence's evidence in the transcript: its lines marked (until another sentence is chosen), brought
// into view, and their stretches of the recording played one after another.

const SELECTOR = (id) => `.segment[data-segment-id="${CSS.escape(id)}"]`;

/** Marks the lines of `ids` (clearing earlier marks) and returns their buttons, in transcript order. */
export function markEvidence(list, ids) {
  for (const el of list.querySelectorAll('.segment.evidence')) el.classList.remove('evidence');
  const buttons = ids.map((id) => list.querySelector(SELECTOR(id))).filter(Boolean);
  for (const b of buttons) b.classList.add('evidence');
  return buttons.sort((a, b) => Number(a.dataset.begin) - Number(b.dataset.begin));
}

let chain = 0; // a newer request stops an older sequence

/** Plays each line's [begin, end) in turn; `onLine(button)` as each starts, `onLine(null)` at the end. */
export async function playLines(player, buttons, onLine) {
  const mine = ++chain;
  for (const button of buttons) {
    if (mine !== chain) return;
    onLine(button);
    await new Promise((resolve, reject) => {
      player.play(Number(button.dataset.begin), Number(button.dataset.end), resolve).catch(reject);
    });
  }
  if (mine === chain) onLine(null);
}

/** Ends a sequence in progress (e.g. when a transcript line is played on its own). */
export function stopLines() {
  chain += 1;
}

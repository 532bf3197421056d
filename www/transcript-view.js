// Renders HealthScribe transcript segments as a list of buttons: time range, speaker, text. The speaker cell
// shows the role in words ("Clinician", "Patient 2") on a colour per role, and the display name when one is set.

import { colourIndex, PALETTE_SIZE, roleLabel, segmentRole } from './speakers.js';
import { formatTime } from './time.js';

function span(className, text) {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

/** Puts the colour class for `role` on `el`, replacing any earlier one. */
export function paintRole(el, role) {
  for (let i = 0; i < PALETTE_SIZE; i++) el.classList.remove(`spk-${i}`);
  el.classList.add(`spk-${colourIndex(role)}`);
  el.dataset.role = role;
}

function showSpeaker(button, segment) {
  const role = segmentRole(segment);
  const name = segment.ParticipantDetails?.DisplayName ?? '';
  paintRole(button, role);
  button.querySelector('.role').textContent = roleLabel(role);
  const nameEl = button.querySelector('.name');
  nameEl.textContent = name;
  nameEl.hidden = !name;
}

/** Replaces the list's content; `onSelect(segment, button)` runs when a line is chosen. */
export function renderTranscript(list, transcript, onSelect) {
  const segments = transcript?.Conversation?.TranscriptSegments ?? [];
  list.replaceChildren(...segments.map((segment) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'segment';
    button.dataset.begin = segment.BeginAudioTime;
    button.dataset.end = segment.EndAudioTime;
    const time = span('time', `${formatTime(segment.BeginAudioTime)}–${formatTime(segment.EndAudioTime)}`);
    time.setAttribute('aria-label', `from ${formatTime(segment.BeginAudioTime)} to ${formatTime(segment.EndAudioTime)},`);
    const speaker = span('speaker', '');
    speaker.append(span('name', ''), span('role', ''));
    button.append(time, speaker, span('text', segment.Content));
    showSpeaker(button, segment);
    button.addEventListener('click', () => onSelect(segment, button));
    const item = document.createElement('li');
    item.append(button);
    return item;
  }));
  return segments.length;
}

/** Shows each line's current role and name again, after the transcript's speakers were edited. */
export function refreshSpeakers(list, transcript) {
  const segments = transcript?.Conversation?.TranscriptSegments ?? [];
  const buttons = list.querySelectorAll('.segment');
  segments.forEach((segment, i) => buttons[i] && showSpeaker(buttons[i], segment));
}

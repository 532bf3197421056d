// Renders HealthScribe transcript segments as a list of buttons: time range, speaker role, text.

import { formatTime } from './time.js';

// HealthScribe roles carry an index ("CLINICIAN_0"); the page shows the role alone.
function roleOf(segment) {
  const raw = segment.ParticipantDetails?.ParticipantRole ?? '';
  const role = raw.replace(/_\d+$/, '').toLowerCase();
  return role ? { key: role, label: role[0].toUpperCase() + role.slice(1) } : { key: 'unknown', label: 'Speaker' };
}

function span(className, text) {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

/** Replaces the list's content; `onSelect(segment, button)` runs when a line is chosen. */
export function renderTranscript(list, transcript, onSelect) {
  const segments = transcript?.Conversation?.TranscriptSegments ?? [];
  list.replaceChildren(...segments.map((segment) => {
    const { key, label } = roleOf(segment);
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'segment';
    button.dataset.begin = segment.BeginAudioTime;
    button.dataset.end = segment.EndAudioTime;
    const time = span('time', `${formatTime(segment.BeginAudioTime)}–${formatTime(segment.EndAudioTime)}`);
    time.setAttribute('aria-label', `from ${formatTime(segment.BeginAudioTime)} to ${formatTime(segment.EndAudioTime)},`);
    button.append(time, span(`role ${key}`, label), span('text', segment.Content));
    button.addEventListener('click', () => onSelect(segment, button));
    const item = document.createElement('li');
    item.append(button);
    return item;
  }));
  return segments.length;
}

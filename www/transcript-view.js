// Renders HealthScribe transcript segments as a list of buttons: time range and section, speaker, text. The
// speaker cell shows the role in words ("Clinician", "Patient 2") on a colour per role, and the display name
// when one is set. Clinical terms are marked inside the text (a colour and an underline style per category, a
// title with category and type, struck through when negated); lines can be shown in order, grouped by
// section, or one section only.

import { categoryOf, isNegated, isUncertain, marksByLine, sectionLabel, sectionOf, SECTIONS, typeLabel, attributeLabel } from './clinical.js';
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

function markTitle({ insight, attribute }) {
  const category = categoryOf(insight.Category).one;
  const what = `${category}: ${typeLabel(insight.Type)}`;
  if (attribute) {
    const term = (insight.Spans ?? []).map((s) => s.Content).join(' … ');
    return `${attributeLabel(attribute.Type)} of “${term}” (${what})`;
  }
  const negated = isNegated(insight) ? `${what}, negated (said to be absent)` : what;
  return isUncertain(insight) ? `${negated}; uncertain, check it` : negated;
}

/**
 * Per line, the code-point ranges of the words a vocabulary filter matched (`VocabularyFilterMatch` on their
 * transcript items: tagged words, or the *** left by masking). Items are found in the line's text in order,
 * so a word said twice is marked where it was said.
 */
function filteredByLine(transcript) {
  const conv = transcript?.Conversation ?? {};
  const content = new Map((conv.TranscriptSegments ?? []).map((s) => [s.SegmentId, s.Content]));
  const cursor = new Map();
  const byLine = new Map();
  for (const item of conv.TranscriptItems ?? []) {
    const text = content.get(item.SegmentId);
    const word = item.Alternatives?.[0]?.Content;
    if (text === undefined || !word) continue;
    const found = text.indexOf(word, cursor.get(item.SegmentId) ?? 0);
    if (found < 0) continue; // the line was corrected: its words no longer match its items
    cursor.set(item.SegmentId, found + word.length);
    if (!item.VocabularyFilterMatch) continue;
    const begin = Array.from(text.slice(0, found)).length;
    const list = byLine.get(item.SegmentId) ?? [];
    list.push({ begin, end: begin + Array.from(word).length, filtered: true });
    byLine.set(item.SegmentId, list);
  }
  return byLine;
}

/**
 * A line's marks in order: its clinical terms, and the filtered words outside them (a filtered word inside a
 * term marks that term instead).
 */
function lineMarks(terms = [], filtered = []) {
  const inside = (f, m) => f.begin < m.end && f.end > m.begin;
  const marked = terms.map((m) => (filtered.some((f) => inside(f, m)) ? { ...m, filtered: true } : m));
  const alone = filtered.filter((f) => !terms.some((m) => inside(f, m)));
  return [...marked, ...alone].sort((a, b) => a.begin - b.begin);
}

const FILTERED_TITLE = 'A word on the vocabulary filter list';

/** The line's text, with its clinical terms and filtered words wrapped in <mark>s. Offsets count code points. */
function textWithMarks(content, marks = []) {
  const el = span('text', '');
  const chars = Array.from(content);
  let at = 0;
  for (const m of marks) {
    if (m.begin < at || m.end > chars.length) continue; // never mis-mark a line whose text changed
    if (m.begin > at) el.append(chars.slice(at, m.begin).join(''));
    const mark = document.createElement('mark');
    if (!m.insight) {
      mark.className = 'filtered';
      mark.title = FILTERED_TITLE;
      mark.textContent = chars.slice(m.begin, m.end).join('');
      el.append(mark);
      at = m.end;
      continue;
    }
    const category = categoryOf(m.insight.Category);
    mark.className = m.attribute ? 'ent attr' : `ent cat-${category.short}`;
    if (!m.attribute && isNegated(m.insight)) mark.classList.add('negated');
    if (!m.attribute && isUncertain(m.insight)) mark.classList.add('uncertain');
    mark.dataset.insight = m.insight.InsightId;
    mark.dataset.category = m.insight.Category;
    mark.title = markTitle(m);
    if (m.filtered) {
      mark.classList.add('filtered');
      mark.title += `; ${FILTERED_TITLE.toLowerCase()}`;
    }
    mark.textContent = chars.slice(m.begin, m.end).join('');
    el.append(mark);
    at = m.end;
  }
  if (at < chars.length) el.append(chars.slice(at).join(''));
  return el;
}

/**
 * Opens an editor for the line's words under it. Enter (or Save) hands the new text to
 * `onEdit(segment, text)`; Escape (or Cancel) puts the line back as it was. A line cannot be emptied:
 * deleting what was said would lose the evidence the note points at.
 */
function startEdit(item, segment, onEdit) {
  const form = document.createElement('form');
  form.className = 'line-editor';
  const box = document.createElement('textarea');
  box.value = segment.Content;
  box.rows = Math.min(6, Math.max(2, Math.ceil(segment.Content.length / 90)));
  box.setAttribute('aria-label', `Corrected text of the line at ${formatTime(segment.BeginAudioTime)}`);
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = 'Save';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'secondary';
  cancel.textContent = 'Cancel';
  const actions = span('line-editor-actions', '');
  actions.append(save, cancel);
  form.append(box, actions);
  const edit = item.querySelector('.line-edit');
  const restore = () => {
    form.remove();
    item.classList.remove('editing');
    edit.hidden = false;
  };
  const close = () => {
    restore();
    edit.focus();
  };
  cancel.addEventListener('click', close);
  box.addEventListener('input', () => box.setCustomValidity(''));
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') close();
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = box.value.replace(/\s+/g, ' ').trim();
    if (!text) {
      box.setCustomValidity('A line cannot be empty: correct its words instead.');
      box.reportValidity();
      return;
    }
    if (text === segment.Content) return close();
    restore();
    onEdit(segment, text);
  });
  // The line stays above its editor, so it can still be played while its words are corrected.
  item.classList.add('editing');
  edit.hidden = true;
  item.append(form);
  box.focus();
}

/**
 * Replaces the list's content; `onSelect(segment, button)` runs when a line is chosen, and
 * `onEdit(segment, text)`, when given, when a reviewer corrects a line's words (each line then has an Edit
 * button; lines in `edited`, a set of segment ids, are marked as corrected). `view`: 'all' (in order),
 * 'group' (by section) or a section name (only its lines).
 */
export function renderTranscript(list, transcript, onSelect, view = 'all', { onEdit, edited = new Set() } = {}) {
  const segments = transcript?.Conversation?.TranscriptSegments ?? [];
  const marks = marksByLine(transcript);
  const filtered = filteredByLine(transcript);
  const items = segments.map((segment) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'segment';
    button.dataset.begin = segment.BeginAudioTime;
    button.dataset.end = segment.EndAudioTime;
    button.dataset.segmentId = segment.SegmentId;
    const time = span('time', `${formatTime(segment.BeginAudioTime)}–${formatTime(segment.EndAudioTime)}`);
    time.setAttribute('aria-label', `from ${formatTime(segment.BeginAudioTime)} to ${formatTime(segment.EndAudioTime)},`);
    const section = sectionOf(segment);
    const tag = span(`section-tag sec-${section.toLowerCase().replace(/_/g, '-')}`, sectionLabel(section));
    tag.setAttribute('aria-label', `section: ${sectionLabel(section)},`);
    const when = span('when', '');
    when.append(time, tag);
    const speaker = span('speaker', '');
    speaker.append(span('name', ''), span('role', ''));
    button.append(when, speaker, textWithMarks(segment.Content, lineMarks(marks.get(segment.SegmentId), filtered.get(segment.SegmentId))));
    showSpeaker(button, segment);
    button.addEventListener('click', () => onSelect(segment, button));
    const item = document.createElement('li');
    item.dataset.section = section;
    item.append(button);
    if (edited.has(segment.SegmentId)) {
      item.dataset.edited = 'true';
      const badge = span('edited-tag', 'corrected');
      badge.title = 'A reviewer corrected the words of this line; the recording is unchanged.';
      when.append(badge);
    }
    if (onEdit) {
      const edit = document.createElement('button');
      edit.type = 'button';
      edit.className = 'line-edit secondary';
      edit.textContent = 'Edit';
      edit.title = 'Correct the words of this line';
      edit.setAttribute('aria-label', `Correct the line at ${formatTime(segment.BeginAudioTime)}`);
      edit.addEventListener('click', () => startEdit(item, segment, onEdit));
      item.append(edit);
    }
    return item;
  });
  list.replaceChildren(...items);
  showView(list, view);
  return segments.length;
}

/** Shows the lines in order ('all'), grouped under a heading per section ('group'), or one section's only. */
export function showView(list, view) {
  const items = [...list.querySelectorAll(':scope > li:not(.section-heading)')]
    .sort((a, b) => Number(a.dataset.order ?? 0) - Number(b.dataset.order ?? 0));
  items.forEach((li, i) => { li.dataset.order ??= String(i); });
  const headings = [];
  let ordered = items;
  if (view === 'group') {
    ordered = [];
    for (const name of SECTIONS) {
      const mine = items.filter((li) => li.dataset.section === name);
      if (mine.length === 0) continue;
      const li = document.createElement('li');
      li.className = 'section-heading';
      const h = document.createElement('h3');
      h.textContent = `${sectionLabel(name)} (${mine.length})`;
      li.append(h);
      headings.push(li);
      ordered.push(li, ...mine);
    }
    ordered.push(...items.filter((li) => !SECTIONS.includes(li.dataset.section)));
  }
  list.replaceChildren(...ordered);
  for (const li of items) li.hidden = !(view === 'all' || view === 'group' || li.dataset.section === view);
  list.dataset.view = view;
  return headings.length;
}

/** Shows each line's current role and name again, after the transcript's speakers were edited. */
export function refreshSpeakers(list, transcript) {
  const segments = transcript?.Conversation?.TranscriptSegments ?? [];
  const buttons = new Map([...list.querySelectorAll('.segment')].map((b) => [b.dataset.segmentId, b]));
  for (const segment of segments) {
    const button = buttons.get(segment.SegmentId);
    if (button) showSpeaker(button, segment);
  }
}

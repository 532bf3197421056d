// The "Draft note" panel: the note by sections, one editable sentence per line. While it is written, each
// sentence appears under its section heading once it has passed its fact check, and the model's raw words for
// the sentence in progress show beneath. Sentences worded by the language model are marked apart from those
// built by rules (a thin bar, and said in their tooltip and label). Choosing a sentence calls
// `onSelect(links, { jump })` with its evidence links (jump: the sentence was chosen with the pointer and was not
// the chosen one already, so the page may scroll to the evidence and play it); typing in a sentence changes the
// note that is exported.

import { NoteDoc, sectionTitle } from './note-doc.js';

// Sentences arrive in the order they are written (the transcript's), while the note lists its sections in the
// template's order. Every built-in template's sections fit this one order, so live headings are placed by it
// (a section not listed goes last) and the finished note does not reshuffle them.
const SECTION_ORDER = [
  'CHIEF_COMPLAINT', 'HISTORY_OF_PRESENT_ILLNESS', 'REVIEW_OF_SYSTEMS', 'PAST_MEDICAL_HISTORY', 'PAST_FAMILY_HISTORY',
  'PAST_SOCIAL_HISTORY', 'PHYSICAL_EXAMINATION', 'DIAGNOSTIC_TESTING', 'SUBJECTIVE', 'OBJECTIVE', 'DATA', 'BEHAVIOR',
  'SITUATION', 'GOAL', 'INTERVENTION', 'RESPONSE', 'PROGRESS', 'ASSESSMENT', 'PLAN',
];
const rank = (name) => {
  const i = SECTION_ORDER.indexOf(name);
  return i < 0 ? SECTION_ORDER.length : i;
};

const WRITERS = {
  model: 'worded by the language model, checked against its evidence',
  rules: 'built from its evidence by rules',
};

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

// Chromium and Safari keep pasted text plain; elsewhere formatting is dropped when the text is read back.
function makeEditable(node) {
  node.contentEditable = 'plaintext-only';
  if (node.contentEditable !== 'plaintext-only') node.contentEditable = 'true';
}

export class NotePanel {
  #box;
  #live;
  #liveLabel;
  #liveText;
  #liveSections;
  #written = new Map(); // section name → [{ text, byModel }] as the sentences of the note being written arrived
  #onSelect;
  #onEdit;
  #doc = null;
  #selected = null;
  #pointerDown = false;

  constructor({ box, live, liveLabel, liveSections, liveText, onSelect, onEdit }) {
    this.#box = box;
    this.#live = live;
    this.#liveLabel = liveLabel;
    this.#liveSections = liveSections;
    this.#liveText = liveText;
    this.#onSelect = onSelect;
    this.#onEdit = onEdit;
  }

  /** The note as exported (edits included), or null. */
  get doc() {
    return this.#doc;
  }

  clear() {
    this.#doc = null;
    this.#selected = null;
    this.#written.clear();
    this.#box.replaceChildren();
    this.endLive();
  }

  /** Hides the sentences and words of a note that was not finished. */
  endLive() {
    this.#live.hidden = true;
    this.#liveText.textContent = '';
    this.#liveSections.replaceChildren();
  }

  /** While the note is written: `{ status: 'progress', stage: 'note', … }`, `{ status: 'sentence', section,
   * text, byModel }` (a sentence as it will stand) and `{ status: 'token', text }` (the model's raw words). */
  progress(event, writer) {
    this.#live.hidden = false;
    if (event.status === 'token') {
      this.#liveText.append(event.text);
      return;
    }
    if (event.status === 'sentence') {
      this.#liveSentence(event);
      return;
    }
    const { sentencesWritten: done, sentences: total } = event;
    if (total === undefined) { // the note starts: nothing of an earlier run stays
      this.#written.clear();
      this.#liveSections.replaceChildren();
    }
    this.#liveText.textContent = '';
    this.#liveLabel.textContent = total
      ? `${writer}: ${done} of ${total} sentences written${done < total ? `; writing sentence ${done + 1}…` : '.'}`
      : `${writer}: planning the note…`;
  }

  /** A checked sentence of the note being written, under its section's heading (added in the note's order). */
  #liveSentence({ section, text, byModel }) {
    if (!this.#written.has(section)) this.#written.set(section, []);
    this.#written.get(section).push({ text, byModel });
    let box = [...this.#liveSections.children].find((b) => b.dataset.section === section);
    if (!box) {
      box = el('div', 'note-section');
      box.dataset.section = section;
      box.append(el('h3', '', sectionTitle(section)), el('ol', 'note-sentences'));
      const after = [...this.#liveSections.children].find((b) => rank(b.dataset.section) > rank(section));
      this.#liveSections.insertBefore(box, after ?? null);
    }
    const li = el('li');
    const p = el('p', 'note-sentence live', text);
    this.#markWriter(li, p, byModel);
    li.append(p);
    box.querySelector('ol').append(li);
  }

  #markWriter(li, p, byModel) {
    li.dataset.writer = byModel ? 'model' : 'rules';
    const how = WRITERS[li.dataset.writer];
    p.title = p.title ? `${p.title}; ${how}` : how.charAt(0).toUpperCase() + how.slice(1);
  }

  /** Shows a finished note (HealthScribe's ClinicalDocumentation). Sentences seen while it was written keep
   * their writer's mark. */
  show(documentation) {
    const written = this.#written;
    this.#written = new Map();
    this.endLive();
    this.#doc = NoteDoc.from(documentation);
    this.#selected = null;
    const parts = this.#doc.sections.map((sec, si) => {
      if (sec.Summary.length === 0) return null; // a heading with nothing under it says nothing
      const box = el('div', 'note-section');
      box.dataset.section = sec.SectionName;
      const h = el('h3', '', sectionTitle(sec.SectionName));
      h.id = `note-sec-${si}`;
      const list = el('ol', 'note-sentences');
      list.setAttribute('aria-labelledby', h.id);
      const arrived = written.get(sec.SectionName) ?? [];
      list.append(...sec.Summary.map((s, i) => {
        const li = el('li');
        const p = this.#sentence(s, si, i, h.textContent);
        // Within a section the note keeps the order they arrived in.
        const seen = arrived[0]?.text === s.SummarizedSegment ? arrived.shift() : null;
        if (seen) {
          this.#markWriter(li, p, seen.byModel);
          const how = seen.byModel ? 'worded by the language model' : 'built by rules';
          p.setAttribute('aria-label', p.getAttribute('aria-label').replace(' (editable', `, ${how} (editable`));
        }
        li.append(p);
        return li;
      }));
      box.append(h, list);
      return box;
    });
    const shown = parts.filter(Boolean);
    if (shown.length === 0) shown.push(el('p', 'hint', 'Nothing in this transcript was clinical enough for a note.'));
    this.#box.replaceChildren(...shown);
    return this.#doc.sections.reduce((n, s) => n + s.Summary.length, 0);
  }

  #sentence(s, si, i, section) {
    const p = el('p', 'note-sentence', s.SummarizedSegment);
    makeEditable(p);
    p.spellcheck = true;
    p.setAttribute('role', 'textbox');
    p.setAttribute('aria-label', `${section}, sentence ${i + 1} (editable; choosing it shows its evidence)`);
    p.dataset.section = String(si);
    p.dataset.index = String(i);
    p.dataset.evidence = s.EvidenceLinks.map((l) => l.SegmentId).join(' ');
    p.title = `From ${s.EvidenceLinks.length === 1 ? 'one transcript line' : `${s.EvidenceLinks.length} transcript lines`}`;
    p.addEventListener('pointerdown', () => { this.#pointerDown = true; });
    p.addEventListener('focus', () => {
      const jump = this.#pointerDown && this.#selected !== p;
      this.#pointerDown = false;
      this.#select(p, jump);
    });
    p.addEventListener('click', () => {
      this.#pointerDown = false;
      // A click on the sentence already focused (chosen by keyboard) still jumps, once.
      if (this.#selected === p && !p.dataset.jumped) this.#select(p, true);
    });
    p.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { // one sentence is one line; Enter ends the edit
        e.preventDefault();
        p.blur();
      }
    });
    p.addEventListener('input', () => {
      const edited = this.#doc.edit(si, i, p.textContent);
      p.classList.toggle('edited', edited);
      this.#onEdit?.();
    });
    return p;
  }

  #select(p, jump) {
    for (const other of this.#box.querySelectorAll('.note-sentence.selected')) {
      other.classList.remove('selected');
      delete other.dataset.jumped;
    }
    p.classList.add('selected');
    this.#selected = p;
    if (jump) p.dataset.jumped = '1';
    this.#onSelect(this.#doc.sentence(Number(p.dataset.section), Number(p.dataset.index)).EvidenceLinks, { jump });
  }
}

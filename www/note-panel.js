// The "Draft note" panel: the note by sections, one editable sentence per line, and while it is written the
// model's words as they arrive. Choosing a sentence calls `onSelect(links, { jump })` with its evidence links
// (jump: the sentence was chosen with the pointer and was not the chosen one already, so the page may scroll to
// the evidence and play it); typing in a sentence changes the note that is exported.

import { NoteDoc, sectionTitle } from './note-doc.js';

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
  #onSelect;
  #onEdit;
  #doc = null;
  #selected = null;
  #pointerDown = false;

  constructor({ box, live, liveLabel, liveText, onSelect, onEdit }) {
    this.#box = box;
    this.#live = live;
    this.#liveLabel = liveLabel;
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
    this.#box.replaceChildren();
    this.endLive();
  }

  /** Hides the words of a note that was not finished. */
  endLive() {
    this.#live.hidden = true;
    this.#liveText.textContent = '';
  }

  /** While the note is written: `{ status: 'progress', stage: 'note', … }` and `{ status: 'token', text }`. */
  progress(event, writer) {
    this.#live.hidden = false;
    if (event.status === 'token') {
      this.#liveText.append(event.text);
      return;
    }
    const { sentencesWritten: done, sentences: total } = event;
    this.#liveText.textContent = '';
    this.#liveLabel.textContent = total
      ? `${writer}: ${done} of ${total} sentences written${done < total ? `; writing sentence ${done + 1}…` : '.'}`
      : `${writer}: planning the note…`;
  }

  /** Shows a finished note (HealthScribe's ClinicalDocumentation). */
  show(documentation) {
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
      list.append(...sec.Summary.map((s, i) => {
        const li = el('li');
        li.append(this.#sentence(s, si, i, h.textContent));
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

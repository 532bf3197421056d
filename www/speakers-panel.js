// The "Speakers" panel: one row per speaker the scribe found, with its colour, its role (a select) and a name
// field, plus a button that swaps clinician and patient. Every change goes through `Speakers`, which rewrites
// the transcript; `onChange(message)` then lets the page redraw the lines and announce what changed.

import { paintRole } from './transcript-view.js';
import { roleLabel, Speakers } from './speakers.js';

export class SpeakersPanel {
  #box;
  #list;
  #swap;
  #onChange;
  #speakers = null;

  constructor({ box, list, swap, onChange }) {
    this.#box = box;
    this.#list = list;
    this.#swap = swap;
    this.#onChange = onChange;
    swap.addEventListener('click', () => {
      if (this.#speakers?.swapClinicianAndPatient()) this.#changed('Swapped clinician and patient on every line.');
    });
  }

  /** Builds the rows for a new transcript (or hides the panel when there is none). */
  show(transcript) {
    this.#speakers = transcript ? new Speakers(transcript) : null;
    const people = this.#speakers?.list() ?? [];
    this.#box.hidden = people.length === 0;
    const choices = this.#speakers?.roleChoices() ?? [];
    this.#list.replaceChildren(...people.map((p, n) => this.#row(p, n, choices)));
    this.#update();
  }

  #row(person, n, choices) {
    const row = document.createElement('li');
    row.className = 'speaker-row';
    row.dataset.speaker = person.id;

    const chip = document.createElement('span');
    chip.className = 'role';
    const lines = document.createElement('span');
    lines.className = 'lines';
    lines.textContent = person.lines === 1 ? '1 line' : `${person.lines} lines`;

    const roleId = `speaker-${n}-role`;
    const roleLabelEl = document.createElement('label');
    roleLabelEl.htmlFor = roleId;
    roleLabelEl.textContent = 'Role';
    const select = document.createElement('select');
    select.id = roleId;
    select.className = 'speaker-role';
    select.append(...choices.map((role) => new Option(roleLabel(role), role)));
    select.addEventListener('change', () => {
      const was = this.#roleOf(person.id);
      const swapped = this.#speakers.list().some((p) => p.role === select.value);
      if (this.#speakers.setRole(person.id, select.value)) {
        const [from, to] = [roleLabel(was), roleLabel(select.value)];
        this.#changed(`Every ${from} line is now ${to}${swapped ? `, and every ${to} line ${from}` : ''}.`);
      }
    });

    const nameId = `speaker-${n}-name`;
    const nameLabel = document.createElement('label');
    nameLabel.htmlFor = nameId;
    nameLabel.textContent = 'Name';
    const name = document.createElement('input');
    name.type = 'text';
    name.id = nameId;
    name.className = 'speaker-name';
    name.maxLength = 60;
    name.autocomplete = 'off';
    name.placeholder = n === 0 ? 'e.g. Dr. Lee' : 'optional';
    name.value = person.name;
    name.addEventListener('input', () => {
      if (this.#speakers.setName(person.id, name.value)) this.#changed(null);
    });
    name.addEventListener('change', () => {
      const shown = name.value.trim();
      const role = roleLabel(this.#roleOf(person.id));
      this.#changed(shown ? `Every ${role} line now shows “${shown}”.` : `The ${role} lines show no name now.`);
    });

    const field = (label, control) => {
      const wrap = document.createElement('span');
      wrap.className = 'field';
      wrap.append(label, control);
      return wrap;
    };
    row.append(chip, lines, field(roleLabelEl, select), field(nameLabel, name));
    return row;
  }

  #roleOf(id) {
    return this.#speakers?.list().find((p) => p.id === id)?.role ?? '';
  }

  // Shows each row's current role (chip colour, chip text, select value) and whether a swap is possible.
  #update() {
    const current = new Map((this.#speakers?.list() ?? []).map((p) => [p.id, p]));
    for (const row of this.#list.children) {
      const p = current.get(row.dataset.speaker);
      if (!p) continue;
      paintRole(row, p.role);
      row.querySelector('.role').textContent = roleLabel(p.role);
      row.querySelector('select').value = p.role;
    }
    this.#swap.disabled = !this.#speakers?.canSwap();
  }

  #changed(message) {
    this.#update();
    this.#onChange(message);
  }
}

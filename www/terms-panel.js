// The "Clinical terms" panel: the transcript's ClinicalInsights grouped by category, each distinct term with
// its type, attributes (dosage, frequency…), codes (ICD-10-CM, DrugBank, MeSH, LOINC) and how often it was
// said. Choosing a term calls `onGo(insight)` with its next mention, so repeated clicks step through them.

import { attributeLabel, CATEGORIES, categoryOf, groupTerms, typeLabel } from './clinical.js';

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function attributesOf(term) {
  const seen = new Map(); // "Dosage: 10 mg" once, however often it was said
  for (const insight of term.mentions) {
    for (const a of insight.Attributes ?? []) {
      const text = (a.Spans ?? []).map((s) => s.Content).join(' … ');
      if (text) seen.set(`${a.Type}\u0000${text.toLowerCase()}`, { label: attributeLabel(a.Type), text });
    }
  }
  return [...seen.values()];
}

function codesOf(term) {
  const seen = new Map();
  for (const insight of term.mentions) {
    for (const c of insight.Codes ?? []) {
      const key = `${c.System}\u0000${c.Code}`;
      if (!seen.has(key)) seen.set(key, c);
    }
  }
  return [...seen.values()];
}

export class TermsPanel {
  #box;
  #list;
  #legend;
  #onGo;

  constructor({ box, list, legend, onGo }) {
    this.#box = box;
    this.#list = list;
    this.#legend = legend;
    this.#onGo = onGo;
    this.#buildLegend();
  }

  #buildLegend() {
    const items = CATEGORIES.map((c) => {
      const li = el('li');
      const sample = el('mark', `ent cat-${c.short}`, c.one);
      sample.title = c.one;
      li.append(sample);
      return li;
    });
    const negated = el('li');
    const sample = el('mark', 'ent cat-condition negated', 'struck through');
    sample.title = 'Negated: said to be absent';
    negated.append(sample, ' = negated (said to be absent)');
    const uncertain = el('li');
    const unsure = el('mark', 'ent cat-medication uncertain', 'marked ?');
    unsure.title = 'Uncertain: check it';
    uncertain.append(unsure, ' = uncertain (check it)');
    this.#legend.replaceChildren(...items, negated, uncertain);
  }

  /** Lists the terms of a new transcript (or hides the panel when there is none). */
  show(transcript) {
    const groups = groupTerms(transcript);
    this.#box.hidden = !transcript;
    if (groups.length === 0) {
      this.#list.replaceChildren(el('p', 'hint', transcript?.Conversation?.TranscriptSegments?.length
        ? 'No clinical terms were found in this transcript.' : ''));
      return 0;
    }
    this.#list.replaceChildren(...groups.map(({ category, terms }) => this.#group(category, terms)));
    return groups.reduce((n, g) => n + g.terms.length, 0);
  }

  #group(category, terms) {
    const box = el('div', `term-group cat-${category.short}`);
    box.dataset.category = category.name;
    const id = `terms-${category.short}`;
    const h = el('h4', '', `${category.label} `);
    h.id = id;
    h.append(el('span', 'count', `(${terms.length})`));
    const ul = el('ul', 'term-list');
    ul.setAttribute('aria-labelledby', id);
    ul.append(...terms.map((t) => this.#term(t, category)));
    box.append(h, ul);
    return box;
  }

  #term(term, category) {
    const li = el('li', 'term-item');
    li.dataset.type = term.type;
    li.dataset.mentions = term.mentions.map((i) => i.InsightId).join(' ');
    if (term.negated) li.classList.add('negated');
    const button = el('button', 'term');
    button.type = 'button';
    const name = el('mark', `ent cat-${categoryOf(term.mentions[0].Category).short}`, term.text);
    if (term.negated) name.classList.add('negated');
    if (term.uncertain) name.classList.add('uncertain');
    button.append(name);
    const n = term.mentions.length;
    button.title = `Show ${n === 1 ? 'the line' : 'the next of its lines'}`;
    button.setAttribute('aria-label', `${term.text}${term.negated ? ', negated' : ''}${term.uncertain ? ', uncertain' : ''}: show ${n === 1 ? 'its line' : `the next of ${n} mentions`}`);
    let next = 0;
    button.addEventListener('click', () => {
      const insight = term.mentions[next % n];
      next += 1;
      this.#onGo(insight, category);
    });
    const facts = el('span', 'term-facts', typeLabel(term.type));
    if (term.negated) facts.append(', ', el('strong', 'negation', 'negated'));
    if (term.uncertain) facts.append(', ', el('strong', 'uncertainty', 'uncertain, check it'));
    if (n > 1) facts.append(`, said ${n} times`);
    li.append(button, ' ', facts);

    const details = [
      ...attributesOf(term).map((a) => ['attribute', `${a.label}: `, a.text]),
      ...codesOf(term).map((c) => ['code', `${c.System} ${c.Code}`, c.Description ? ` ${c.Description}` : '']),
    ];
    if (details.length) {
      const dl = el('ul', 'term-details');
      dl.append(...details.map(([kind, head, rest]) => {
        const item = el('li', kind);
        item.append(el(kind === 'code' ? 'code' : 'span', 'label', head), rest);
        return item;
      }));
      li.append(dl);
    }
    return li;
  }
}

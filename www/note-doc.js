// The draft note as data: HealthScribe's clinical documentation (summary.json), a copy the reader's edits go
// into, and its plain-text form (note.txt, rendered by the package, as the command line writes it). No DOM here.

import { noteText } from '/pkg/src/note-text.js';

/** 'HISTORY_OF_PRESENT_ILLNESS' → 'History of present illness'. */
export function sectionTitle(name) {
  const words = String(name).toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Sentences are edited in place: one line of plain text, spaces collapsed. */
export const tidySentence = (text) => text.replace(/\s+/g, ' ').trim();

export class NoteDoc {
  #doc;

  /** Keeps its own copy, so edits never touch the object the scribe returned. */
  constructor(documentation) {
    this.#doc = structuredClone(documentation);
  }

  get sections() {
    return this.#doc.ClinicalDocumentation.Sections;
  }

  sentence(section, index) {
    return this.sections[section].Summary[index];
  }

  /** Replaces one sentence's text; returns whether it differs from what was written. */
  edit(section, index, text) {
    const s = this.sentence(section, index);
    s.SummarizedSegment = tidySentence(text);
    return s.SummarizedSegment !== s.written;
  }

  /** summary.json as it stands after edits; a sentence emptied by the reader is left out. */
  toJSON() {
    return {
      ClinicalDocumentation: {
        Sections: this.sections.map((sec) => ({
          SectionName: sec.SectionName,
          Summary: sec.Summary.filter((s) => s.SummarizedSegment)
            .map(({ SummarizedSegment, EvidenceLinks }) => ({ SummarizedSegment, EvidenceLinks })),
        })),
      },
    };
  }

  /** note.txt: each section's heading in capitals, a blank line, its sentences as one paragraph (sections left
   * empty are skipped). */
  toText() {
    return noteText(this.toJSON());
  }

  /** Remembers each sentence as written, so edits can be told apart. */
  static from(documentation) {
    const doc = new NoteDoc(documentation);
    for (const sec of doc.sections) for (const s of sec.Summary) s.written = s.SummarizedSegment;
    return doc;
  }
}

// The note as plain text (note.txt), from HealthScribe's clinical documentation (summary.json). Shared by the
// command line and the demo, and the same text as the native `bedside` writes.

/**
 * Each section's name as its heading in capitals (`HISTORY OF PRESENT ILLNESS`), a blank line, then its
 * sentences as one paragraph; sections are separated by a blank line and sections with no sentence are left out.
 */
export function noteText(documentation) {
  return (documentation?.ClinicalDocumentation?.Sections ?? [])
    .map((sec) => ({ name: sec.SectionName, sentences: sec.Summary.map((s) => s.SummarizedSegment).filter(Boolean) }))
    .filter((sec) => sec.sentences.length > 0)
    .map((sec) => `${sec.name.replace(/_/g, ' ')}\n\n${sec.sentences.join(' ')}\n`)
    .join('\n');
}

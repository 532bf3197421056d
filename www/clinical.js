// Sections and clinical terms in words: labels for HealthScribe section names, Comprehend Medical categories
// and types, and an index of a transcript's ClinicalInsights by line, so the view can mark terms in the text.

export const SECTIONS = ['SUBJECTIVE', 'OBJECTIVE', 'ASSESSMENT_AND_PLAN', 'OTHER'];
const SECTION_LABELS = {
  SUBJECTIVE: 'Subjective',
  OBJECTIVE: 'Objective',
  ASSESSMENT_AND_PLAN: 'Assessment & plan',
  OTHER: 'Other',
};

/** 'ASSESSMENT_AND_PLAN' → 'Assessment & plan'; a missing section counts as OTHER. */
export const sectionOf = (segment) => segment?.SectionDetails?.SectionName || 'OTHER';
export const sectionLabel = (name) => SECTION_LABELS[name] ?? words(name);

// In the order the terms panel and the legend list them. `short` names the colour class (cat-<short>).
export const CATEGORIES = [
  { name: 'MEDICAL_CONDITION', short: 'condition', label: 'Conditions', one: 'Condition' },
  { name: 'MEDICATION', short: 'medication', label: 'Medications', one: 'Medication' },
  { name: 'TEST_TREATMENT_PROCEDURE', short: 'test', label: 'Tests, treatments & procedures', one: 'Test, treatment or procedure' },
  { name: 'ANATOMY', short: 'anatomy', label: 'Anatomy', one: 'Anatomy' },
  { name: 'BEHAVIORAL_ENVIRONMENTAL_SOCIAL', short: 'social', label: 'Behavioural, environmental & social', one: 'Behavioural, environmental or social' },
  { name: 'TIME_EXPRESSION', short: 'time', label: 'Time expressions', one: 'Time expression' },
  { name: 'PROTECTED_HEALTH_INFORMATION', short: 'phi', label: 'Protected health information', one: 'Protected health information' },
];
const BY_NAME = new Map(CATEGORIES.map((c) => [c.name, c]));
const OTHER_CATEGORY = { short: 'other', label: 'Other terms', one: 'Other term' };
export const categoryOf = (name) => BY_NAME.get(name) ?? { ...OTHER_CATEGORY, name };

const TYPE_LABELS = {
  DX_NAME: 'diagnosis or symptom',
  GENERIC_NAME: 'generic name',
  BRAND_NAME: 'brand name',
  TEST_NAME: 'test',
  TEST_VALUE: 'test value',
  TEST_UNIT: 'unit',
  PROCEDURE_NAME: 'procedure',
  TREATMENT_NAME: 'treatment',
  SYSTEM_ORGAN_SITE: 'body site',
  ROUTE_OR_MODE: 'route',
};

function words(code) {
  const s = String(code ?? '').toLowerCase().replace(/_/g, ' ');
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** 'DX_NAME' → 'diagnosis or symptom', 'FREQUENCY' → 'frequency'. */
export const typeLabel = (type) => TYPE_LABELS[type] ?? words(type).toLowerCase();
/** 'DOSAGE' → 'Dosage'. */
export const attributeLabel = (type) => words(TYPE_LABELS[type] ?? type);

export const isNegated = (insight) => (insight.Traits ?? []).some((t) => t.Name === 'NEGATION');
/** LOW_CONFIDENCE: the core is unsure of the term (a hedged mention, or a drug name heard one letter off). */
export const isUncertain = (insight) => (insight.Traits ?? []).some((t) => t.Name === 'LOW_CONFIDENCE');

/**
 * Per line, the stretches to mark: [{ begin, end, insight, attributeOf? }] in code points, sorted, never
 * overlapping (an entity wins over an attribute, a longer stretch over a shorter one that it overlaps).
 */
export function marksByLine(transcript) {
  const insights = transcript?.Conversation?.ClinicalInsights ?? [];
  const byLine = new Map();
  const add = (span, mark) => {
    if (!(span.EndCharacterOffset > span.BeginCharacterOffset)) return;
    const list = byLine.get(span.SegmentId) ?? [];
    list.push({ begin: span.BeginCharacterOffset, end: span.EndCharacterOffset, ...mark });
    byLine.set(span.SegmentId, list);
  };
  for (const insight of insights) {
    for (const span of insight.Spans ?? []) add(span, { insight });
    for (const attribute of insight.Attributes ?? []) {
      for (const span of attribute.Spans ?? []) add(span, { insight, attribute });
    }
  }
  for (const [id, list] of byLine) {
    list.sort((a, b) => Boolean(a.attribute) - Boolean(b.attribute) || (b.end - b.begin) - (a.end - a.begin) || a.begin - b.begin);
    const kept = [];
    for (const m of list) {
      if (kept.every((k) => m.end <= k.begin || m.begin >= k.end)) kept.push(m);
    }
    byLine.set(id, kept.sort((a, b) => a.begin - b.begin));
  }
  return byLine;
}

/**
 * The terms panel's entries: per category (in CATEGORIES order), the distinct terms (same text, type and
 * negation), each with every insight that mentions it, in the order they were said.
 */
export function groupTerms(transcript) {
  const insights = transcript?.Conversation?.ClinicalInsights ?? [];
  const groups = new Map();
  for (const insight of insights) {
    const text = (insight.Spans ?? []).map((s) => s.Content).join(' … ');
    if (!text) continue;
    const category = categoryOf(insight.Category);
    const negated = isNegated(insight);
    const key = `${insight.Type}\u0000${negated}\u0000${text.toLowerCase()}`;
    const terms = groups.get(category.name) ?? new Map();
    groups.set(category.name, terms);
    const term = terms.get(key) ?? { text, type: insight.Type, negated, uncertain: false, mentions: [] };
    term.mentions.push(insight);
    term.uncertain ||= isUncertain(insight);
    terms.set(key, term);
  }
  const order = (name) => { const i = CATEGORIES.findIndex((c) => c.name === name); return i < 0 ? CATEGORIES.length : i; };
  return [...groups.entries()]
    .sort(([a], [b]) => order(a) - order(b))
    .map(([name, terms]) => ({ category: categoryOf(name), terms: [...terms.values()] }));
}

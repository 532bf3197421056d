// Sections and clinical terms in the demo page: each line's section tag, terms marked in the text by category
// (colour, underline style and a title), the "Clinical terms" panel that leads to a term's line, section
// grouping and filtering, struck-through negated terms, the "Redact PHI" option, a reviewer's correction of a
// line, and no other origin contacted.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, openDemo } from './harness.mjs';

const SECTION_TAGS = ['Subjective', 'Objective', 'Assessment & plan', 'Other'];
const SECTION_NAMES = ['SUBJECTIVE', 'OBJECTIVE', 'ASSESSMENT_AND_PLAN', 'OTHER'];

let server;
let browser;
let page;
let foreign;

let demo;

before(async () => {
  demo = await openDemo();
  ({ server, browser, page, foreign } = demo);
});

after(() => demo?.close());

/** Starts a run with `start()` and waits for this run (not an earlier one) to end; asserts it succeeded. */
async function runOk(start) {
  await page.evaluate(() => {
    window.seenStates = [];
    new MutationObserver(() => window.seenStates.push(document.getElementById('app').dataset.state))
      .observe(document.getElementById('app'), { attributes: true, attributeFilter: ['data-state'] });
  });
  await start();
  await page.waitForFunction(() => window.seenStates.some((s) => s === 'done' || s === 'error'), null, { timeout: 240_000 });
  const error = await page.locator('#error').isVisible() ? await page.locator('#error').innerText() : '';
  assert.equal(await page.getAttribute('#app', 'data-state'), 'done', error);
}

const visibleLines = () => page.locator('#segments li:not(.section-heading)').evaluateAll((els) => els
  .filter((li) => !li.hidden)
  .map((li) => ({ section: li.dataset.section, tag: li.querySelector('.section-tag').textContent, text: li.querySelector('.text').textContent })));

test('the clinical files load with the speech model', async () => {
  const manifest = JSON.parse(await readFile(join(ROOT, 'models/manifest.json'), 'utf8'));
  const names = await page.locator('#load-progress li span').allTextContents();
  for (const id of Object.values(manifest.defaults.clinical)) {
    const { path } = manifest.files.find((f) => f.id === id);
    assert.ok(names.includes(path), `${path} is listed in the download progress`);
  }
  assert.equal(await page.locator('#redact').isChecked(), false, 'redaction is off unless asked for');
});

test('sample visit: section tags, marked terms and the Clinical terms panel', { timeout: 300_000 }, async () => {
  await runOk(() => page.getByRole('button', { name: 'Try the sample visit' }).click());

  const lines = await visibleLines();
  assert.ok(lines.length >= 3);
  for (const l of lines) {
    assert.ok(SECTION_NAMES.includes(l.section), l.section);
    assert.equal(l.tag, SECTION_TAGS[SECTION_NAMES.indexOf(l.section)]);
  }
  assert.ok(lines.some((l) => l.section === 'SUBJECTIVE'), 'the patient’s story is Subjective');

  // The panel lists at least one condition (the sample is a sore throat and a cough).
  await page.waitForSelector('#terms:not([hidden])');
  const conditions = page.locator('#terms .term-group[data-category="MEDICAL_CONDITION"] .term-item');
  assert.ok(await conditions.count() >= 1, 'at least one condition');
  const conditionTexts = await conditions.locator('.term mark').allInnerTexts();
  assert.ok(conditionTexts.some((t) => /sore throat|cough|runny nose|sneez/i.test(t)), conditionTexts.join(', '));
  // Codes are shown with their description.
  assert.match(await page.locator('#terms .term-details .code').first().innerText(), /ICD-10-CM [A-Z]\d/);

  // Terms are marked in the text: a category class, a title naming category and type, an underline.
  const marks = await page.locator('#segments mark.ent').evaluateAll((els) => els.map((m) => ({
    cls: m.className, title: m.title, text: m.textContent, insight: m.dataset.insight,
    deco: getComputedStyle(m).textDecorationLine, bg: getComputedStyle(m).backgroundColor,
  })));
  const condMarks = marks.filter((m) => /\bcat-condition\b/.test(m.cls));
  assert.ok(condMarks.length >= 1, 'a condition is marked in the transcript');
  for (const m of condMarks) {
    assert.match(m.title, /^Condition: /);
    assert.match(m.deco, /underline/, 'not colour alone: underlined');
    assert.notEqual(m.bg, 'rgba(0, 0, 0, 0)');
  }
  // Every marked term text appears among the panel's terms (same words as the transcript lines).
  const panelTexts = new Set((await page.locator('#terms .term mark').allInnerTexts()).map((t) => t.toLowerCase()));
  for (const m of condMarks) assert.ok(panelTexts.has(m.text.toLowerCase()), m.text);
  // The legend names every category and says what striking through means.
  const legend = await page.locator('#entity-legend').innerText();
  for (const word of ['Condition', 'Medication', 'Anatomy', 'Protected health information']) assert.ok(legend.includes(word), word);
  assert.match(legend, /negated/);

  // A negated term is struck through, if the sample has one (see the next test for a rendered NEGATION).
  const negated = marks.filter((m) => /\bnegated\b/.test(m.cls));
  for (const m of negated) assert.match(m.deco, /line-through/);
  if (negated.length === 0) console.log('# note: the sample visit has no negated term; the next test renders one');

  // Choosing a term scrolls to its line and highlights it.
  await page.locator('#segments').evaluate((el) => el.closest('section').scrollIntoView());
  const last = conditions.last();
  const lastText = (await last.locator('.term mark').innerText()).toLowerCase();
  await last.locator('button.term').click();
  const flashed = page.locator('#segments .segment.flash');
  await flashed.waitFor({ timeout: 3_000 });
  assert.ok((await flashed.locator('.text').innerText()).toLowerCase().includes(lastText));
  assert.ok(await flashed.locator('mark.flash').count() >= 1, 'the term itself is highlighted');
  await page.waitForFunction(() => {
    const r = document.querySelector('#segments .segment.flash')?.getBoundingClientRect();
    return r && r.top >= 0 && r.bottom <= innerHeight;
  }, null, { timeout: 3_000 });
  assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('flash')), true, 'focus moves to the line');

  await page.screenshot({ path: '/tmp/bedside-clinical.png', fullPage: true });
});

test('lines can be grouped by section or filtered to one section, and back', async () => {
  const all = await visibleLines();
  await page.selectOption('#section-view', 'group');
  const headings = await page.locator('#segments .section-heading h3').allInnerTexts();
  const present = SECTION_NAMES.filter((n) => all.some((l) => l.section === n));
  assert.equal(headings.length, present.length);
  headings.forEach((h, i) => assert.match(h, new RegExp(`^${SECTION_TAGS[SECTION_NAMES.indexOf(present[i])]} \\(\\d+\\)$`)));
  const grouped = await visibleLines();
  assert.equal(grouped.length, all.length, 'grouping hides nothing');
  const order = grouped.map((l) => SECTION_NAMES.indexOf(l.section));
  assert.deepEqual(order, [...order].sort((a, b) => a - b), 'lines come section by section');

  await page.selectOption('#section-view', 'SUBJECTIVE');
  const subjective = await visibleLines();
  assert.equal(subjective.length, all.filter((l) => l.section === 'SUBJECTIVE').length);
  assert.ok(subjective.every((l) => l.section === 'SUBJECTIVE'));
  assert.equal(await page.locator('#segments .section-heading').count(), 0);

  // A term whose line is filtered out still leads to it: the view shows every line again.
  // (The first click on a term goes to its first mention.)
  const index = await page.locator('#terms .term-item').evaluateAll((items) => items.findIndex((li) => {
    const first = li.dataset.mentions.split(' ')[0];
    return document.querySelector(`#segments mark[data-insight="${first}"]`)?.closest('li').hidden;
  }));
  if (index >= 0) {
    await page.locator('#terms .term-item').nth(index).locator('button.term').click();
    await page.locator('#segments .segment.flash').waitFor({ timeout: 3_000 });
    assert.equal(await page.inputValue('#section-view'), 'all');
    assert.equal((await visibleLines()).length, all.length);
  } else {
    console.log('# note: every term is in a Subjective line; the jump out of a filter is not exercised');
  }
  await page.selectOption('#section-view', 'all');
  assert.deepEqual(await visibleLines(), all, 'back to every line, in order');
});

test('a negated term is struck through, an uncertain one carries a "?", each said in its title and in the panel', async () => {
  // The sample visit has no negation, so render a transcript that has one with the page's own view code.
  const result = await page.evaluate(async () => {
    const { renderTranscript } = await import('/transcript-view.js');
    const { TermsPanel } = await import('/terms-panel.js');
    const transcript = { Conversation: {
      TranscriptSegments: [{
        SegmentId: 'seg-1', BeginAudioTime: 0, EndAudioTime: 2, Content: 'No fever, but a cough. Lisonopril.',
        ParticipantDetails: { ParticipantRole: 'PATIENT_0' }, SectionDetails: { SectionName: 'SUBJECTIVE' },
      }],
      ClinicalInsights: [
        { InsightId: 'i1', InsightType: 'ClinicalEntity', Category: 'MEDICAL_CONDITION', Type: 'DX_NAME',
          Spans: [{ SegmentId: 'seg-1', BeginCharacterOffset: 3, EndCharacterOffset: 8, Content: 'fever' }],
          Attributes: [], Traits: [{ Name: 'NEGATION', Score: 0.9 }] },
        { InsightId: 'i2', InsightType: 'ClinicalEntity', Category: 'MEDICAL_CONDITION', Type: 'DX_NAME',
          Spans: [{ SegmentId: 'seg-1', BeginCharacterOffset: 16, EndCharacterOffset: 21, Content: 'cough' }],
          Attributes: [] },
        { InsightId: 'i3', InsightType: 'ClinicalEntity', Category: 'MEDICATION', Type: 'GENERIC_NAME',
          Spans: [{ SegmentId: 'seg-1', BeginCharacterOffset: 23, EndCharacterOffset: 33, Content: 'Lisonopril' }],
          Attributes: [], Traits: [{ Name: 'LOW_CONFIDENCE', Score: 0.9 }] },
      ],
    } };
    const list = document.createElement('ol');
    list.className = 'segments';
    const box = document.createElement('aside');
    const terms = document.createElement('div');
    const legend = document.createElement('ul');
    box.append(legend, terms);
    document.body.append(list, box);
    renderTranscript(list, transcript, () => {});
    new TermsPanel({ box, list: terms, legend, onGo: () => {} }).show(transcript);
    const mark = (id) => list.querySelector(`mark[data-insight="${id}"]`);
    const out = {
      text: list.querySelector('.text').textContent,
      negated: { cls: mark('i1').className, deco: getComputedStyle(mark('i1')).textDecorationLine, title: mark('i1').title },
      plain: { cls: mark('i2').className, deco: getComputedStyle(mark('i2')).textDecorationLine, after: getComputedStyle(mark('i2'), '::after').content },
      uncertain: { cls: mark('i3').className, title: mark('i3').title, after: getComputedStyle(mark('i3'), '::after').content },
      panel: [...terms.querySelectorAll('.term-item')].map((li) => li.textContent),
    };
    list.remove();
    box.remove();
    return out;
  });
  assert.equal(result.text, 'No fever, but a cough. Lisonopril.', 'marking never changes the words');
  assert.match(result.uncertain.cls, /\buncertain\b/);
  assert.match(result.uncertain.title, /uncertain/);
  assert.equal(result.uncertain.after, '"?"');
  assert.doesNotMatch(result.plain.cls, /\buncertain\b/);
  assert.notEqual(result.plain.after, '"?"');
  assert.ok(result.panel.some((t) => /Lisonopril/.test(t) && /uncertain/.test(t)), result.panel.join(' | '));
  assert.match(result.negated.cls, /\bnegated\b/);
  assert.match(result.negated.deco, /line-through/);
  assert.match(result.negated.title, /negated/);
  assert.doesNotMatch(result.plain.cls, /\bnegated\b/);
  assert.doesNotMatch(result.plain.deco, /line-through/);
  assert.ok(result.panel.some((t) => /fever/.test(t) && /negated/.test(t)), result.panel.join(' | '));
  assert.ok(result.panel.some((t) => /cough/.test(t) && !/negated/.test(t)));
});

test('"Redact PHI" reaches the core: PHI shows only as [TYPE], in the page and in transcript.json', { timeout: 300_000 }, async () => {
  await page.check('#redact');
  await runOk(() => page.setInputFiles('#file', join(ROOT, 'tests/fixtures/visit_a/audio.wav')));
  const phi = await page.locator('#segments mark.cat-phi').allInnerTexts();
  for (const t of phi) assert.match(t, /^\[[A-Z_]+\]$/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download transcript.json' }).click(),
  ]);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8')).Conversation;
  const lines = new Map(saved.TranscriptSegments.map((s) => [s.SegmentId, s.Content]));
  for (const i of saved.ClinicalInsights.filter((x) => x.Category === 'PROTECTED_HEALTH_INFORMATION')) {
    for (const s of i.Spans) {
      assert.match(s.Content, /^\[[A-Z_]+\]$/);
      assert.equal([...lines.get(s.SegmentId)].slice(s.BeginCharacterOffset, s.EndCharacterOffset).join(''), s.Content);
    }
  }
  // The diarrhoea is clinical, not PHI: it stays.
  assert.ok(saved.ClinicalInsights.some((i) => i.Category === 'MEDICAL_CONDITION' && /diarrh/i.test(i.Spans[0].Content)));
  assert.ok(await page.locator('#segments mark.cat-condition', { hasText: /diarrh/i }).count() >= 1);
  await page.uncheck('#redact');
});

test('a reviewer corrects a line: its terms and sections are found again (redacted like the visit), the note stays', { timeout: 120_000 }, async () => {
  // The redacted visit of the test above is on the page.
  const line = page.locator('#segments li:not(.section-heading)').nth(1);
  const id = await line.locator('.segment').getAttribute('data-segment-id');
  const before = await line.locator('.text').innerText();
  const note = () => page.locator('#note .note-sentence').allInnerTexts();
  const noteBefore = await note();
  assert.ok(noteBefore.length > 0, 'the visit has a note');
  const editor = line.getByRole('textbox');

  // Escape puts the line back untouched.
  await line.getByRole('button', { name: /^Correct the line at / }).click();
  assert.equal(await editor.inputValue(), before);
  await editor.press('Escape');
  assert.equal(await editor.count(), 0);
  assert.equal(await line.locator('.text').innerText(), before);

  // An emptied line is refused: the evidence the note points at must not vanish.
  await line.getByRole('button', { name: /^Correct the line at / }).click();
  await editor.fill('   ');
  await line.getByRole('button', { name: 'Save' }).click();
  assert.equal(await editor.count(), 1, 'the editor stays open');
  assert.match(await editor.evaluate((t) => t.validationMessage), /cannot be empty/);

  const corrected = 'Mrs. Jones takes metformin 500 mg twice a day and has no chest pain.';
  await editor.fill(corrected);
  await runOk(() => editor.press('Enter'));

  const fixed = page.locator(`#segments .segment[data-segment-id="${id}"]`);
  const text = await fixed.locator('.text').innerText();
  assert.match(text, /metformin 500 mg twice a day/);
  assert.doesNotMatch(text, /Jones/, 'a name typed into a redacted visit is redacted too');
  assert.match(text, /\[NAME\]/);
  assert.equal(await fixed.locator('.edited-tag').innerText(), 'corrected');
  assert.equal(await fixed.locator('mark.cat-medication', { hasText: 'metformin' }).count(), 1);
  assert.match(await fixed.locator('mark.cat-condition', { hasText: 'chest pain' }).getAttribute('class'), /\bnegated\b/);
  const meds = await page.locator('#terms .term-group[data-category="MEDICATION"] .term mark').allInnerTexts();
  assert.ok(meds.some((t) => /metformin/i.test(t)), meds.join(', '));

  // The note and any edits to it stay; the page says it predates the correction.
  assert.deepEqual(await note(), noteBefore);
  assert.equal(await page.getAttribute('#app', 'data-note-stale'), 'true');
  assert.match(await page.locator('#status').innerText(), /Write the note again/);

  // transcript.json carries the correction, without the line's old word times, with spans that match it.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download transcript.json' }).click(),
  ]);
  const saved = JSON.parse(await readFile(await download.path(), 'utf8')).Conversation;
  const seg = saved.TranscriptSegments.find((s) => s.SegmentId === id);
  assert.equal(seg.Content, text);
  assert.equal(saved.TranscriptItems.filter((i) => i.SegmentId === id).length, 0);
  assert.ok(saved.TranscriptItems.length > 0, 'the other lines keep their word times');
  for (const i of saved.ClinicalInsights.filter((x) => x.Spans[0].SegmentId === id)) {
    assert.equal([...seg.Content].slice(i.Spans[0].BeginCharacterOffset, i.Spans[0].EndCharacterOffset).join(''), i.Spans[0].Content);
  }
});

test('nothing was requested from any other origin', () => {
  assert.deepEqual(foreign, []);
});

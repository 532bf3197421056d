// The draft note in the demo page: while it is written, checked sentences appear under their section headings;
// after the sample visit the Note panel shows the note by sections under a draft marker; choosing a sentence marks and plays its evidence lines; an edited sentence is what the
// downloaded summary.json and note.txt say, and what "Copy note" copies; another template writes the note again, and so do
// the patient's pronouns once chosen; nothing leaves the origin.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { ROOT, leaveIsHeld, openDemo } from './harness.mjs';

let demo;
let page;

before(async () => {
  demo = await openDemo({ onContext: (context) => context.grantPermissions(['clipboard-read', 'clipboard-write']) });
  ({ page } = demo);
});

after(() => demo?.close());

async function download(name) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download ${name}` }).click()]);
  assert.equal(file.suggestedFilename(), name);
  return readFile(await file.path(), 'utf8');
}

const sentences = () => page.locator('#note .note-sentence');

test('the sample visit gets a draft note by sections, under a draft marker', { timeout: 300_000 }, async () => {
  assert.equal(await page.locator('#writer').inputValue(), 'none', 'no language model is downloaded unless chosen');
  assert.equal(await page.locator('#template').inputValue(), 'HISTORY_AND_PHYSICAL');
  assert.equal(await page.locator('#template option').count(), 7);
  // Record every sentence that appears in the live view while the note is written (by rules it takes a second).
  await page.evaluate(() => {
    window.liveSentences = [];
    const seen = new WeakSet(); // a sentence added with its new section's box shows in two records
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.nodeType !== 1) continue;
          for (const p of n.matches('.note-sentence') ? [n] : n.querySelectorAll('.note-sentence')) {
            if (seen.has(p)) continue;
            seen.add(p);
            window.liveSentences.push({
              section: p.closest('.note-section').dataset.section,
              heading: p.closest('.note-section').querySelector('h3').textContent,
              text: p.textContent,
              writer: p.closest('li').dataset.writer,
            });
          }
        }
      }
    }).observe(document.getElementById('note-live-sections'), { childList: true, subtree: true });
  });
  await page.getByRole('button', { name: 'Try the sample visit' }).click();
  await page.waitForSelector('#app[data-state="done"], #app[data-state="error"]', { timeout: 240_000 });
  const error = await page.locator('#error').isVisible() ? await page.locator('#error').innerText() : '';
  assert.equal(await page.getAttribute('#app', 'data-state'), 'done', error);
  assert.equal(await page.getAttribute('#app', 'data-note'), 'ready');

  assert.match(await page.locator('#note-section .draft-marker').innerText(), /Draft — review before use/);
  assert.ok(await sentences().count() >= 2, 'at least two sentences');
  const headings = await page.locator('#note .note-section h3').allInnerTexts();
  assert.ok(headings.includes('History of present illness'), headings.join(', '));
  // Every sentence names evidence lines that are in the transcript.
  const ids = await page.locator('#segments .segment').evaluateAll((els) => els.map((e) => e.dataset.segmentId));
  for (const evidence of await sentences().evaluateAll((els) => els.map((e) => e.dataset.evidence))) {
    assert.ok(evidence.length > 0);
    for (const id of evidence.split(' ')) assert.ok(ids.includes(id), id);
  }
  assert.match(await page.locator('#status').innerText(), /sentence note \(Rules\)/);

  // The checked sentences appeared under their headings while the note was written: the note's sentences
  // (the chief complaint first), each marked as built by rules.
  const live = await page.evaluate(() => window.liveSentences);
  assert.ok(live.length >= 1, 'sentences appeared while the note was written');
  const final = await page.locator('#note .note-section').evaluateAll((boxes) => boxes.flatMap((b) =>
    [...b.querySelectorAll('.note-sentence')].map((p) => ({ section: b.dataset.section, text: p.textContent, writer: p.closest('li').dataset.writer }))));
  const order = [...new Set(final.map((f) => f.section))];
  const liveInNoteOrder = live.map(({ section, text }) => ({ section, text }))
    .sort((a, b) => order.indexOf(a.section) - order.indexOf(b.section));
  assert.deepEqual(liveInNoteOrder, final.map(({ section, text }) => ({ section, text })));
  if (final[0].section === 'CHIEF_COMPLAINT') assert.equal(live[0].section, 'CHIEF_COMPLAINT', 'the chief complaint comes first');
  for (const s of live) {
    assert.equal(s.writer, 'rules');
    assert.ok(s.heading.length > 0);
  }
  assert.ok(final.every((f) => f.writer === 'rules'), 'the finished note keeps the marks');
  assert.equal(await page.locator('#note-live').isHidden(), true, 'the live view goes once the note is shown');
});

test('choosing a sentence marks its evidence lines, brings them into view and plays them', async () => {
  const sentence = sentences().nth(1);
  const evidence = (await sentence.getAttribute('data-evidence')).split(' ');
  await sentence.click();
  assert.equal(await sentence.evaluate((e) => e.classList.contains('selected')), true);
  const marked = await page.locator('#segments .segment.evidence').evaluateAll((els) => els.map((e) => e.dataset.segmentId));
  assert.deepEqual(marked.sort(), [...evidence].sort());
  await page.waitForSelector('#segments .segment.evidence.playing', { timeout: 5_000 });
  await page.waitForFunction(() => {
    const r = document.querySelector('#segments .segment.evidence').getBoundingClientRect();
    return r.top >= 0 && r.bottom <= innerHeight;
  }, null, { timeout: 5_000 });

  // Another sentence moves the marks.
  const other = sentences().first();
  await other.click();
  const otherEvidence = (await other.getAttribute('data-evidence')).split(' ');
  const now = await page.locator('#segments .segment.evidence').evaluateAll((els) => els.map((e) => e.dataset.segmentId));
  assert.deepEqual(now.sort(), [...otherEvidence].sort());
});

test('an edited sentence is what summary.json and note.txt say', async () => {
  const before = JSON.parse(await download('summary.json'));
  const sentence = sentences().nth(1);
  await sentence.click();
  await page.keyboard.press('ControlOrMeta+A'); // inside a contenteditable: its own text only
  await page.keyboard.type('Sore throat for four days, now a cough (checked by the clinician).');
  await page.keyboard.press('Enter');
  assert.equal(await sentence.evaluate((e) => e.classList.contains('edited')), true);

  const after = JSON.parse(await download('summary.json'));
  const flat = (doc) => doc.ClinicalDocumentation.Sections.flatMap((s) => s.Summary);
  assert.equal(flat(after).length, flat(before).length);
  assert.equal(flat(after)[1].SummarizedSegment, 'Sore throat for four days, now a cough (checked by the clinician).');
  assert.deepEqual(flat(after)[1].EvidenceLinks, flat(before)[1].EvidenceLinks, 'the evidence stays with the sentence');
  assert.deepEqual(flat(after).filter((_, i) => i !== 1), flat(before).filter((_, i) => i !== 1));

  const text = await download('note.txt');
  assert.match(text, /^[A-Z ]+\n\n/, 'starts with a section heading');
  assert.match(text, /HISTORY OF PRESENT ILLNESS\n\n/);
  assert.match(text, /Sore throat for four days, now a cough \(checked by the clinician\)\./);

  // "Copy note" puts the same text, corrections included, on the clipboard for pasting into a record.
  await page.getByRole('button', { name: 'Copy note' }).click();
  await page.waitForFunction(() => /Copied the draft note/.test(document.getElementById('status').textContent));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);
});

test('another template writes the note again from the transcript on screen', { timeout: 60_000 }, async () => {
  await page.selectOption('#template', 'PHYSICAL_SOAP');
  await page.getByRole('button', { name: 'Write the note again' }).click();
  await page.waitForSelector('#app[data-state="done"]', { timeout: 30_000 });
  const headings = await page.locator('#note .note-section h3').allInnerTexts();
  assert.ok(headings.length >= 1);
  for (const h of headings) assert.ok(['Subjective', 'Objective', 'Assessment', 'Plan'].includes(h), h);
  assert.equal(await page.locator('#note .note-sentence.edited').count(), 0, 'a new note starts unedited');
});

test("the patient's pronouns, when chosen, are the note's", { timeout: 60_000 }, async () => {
  assert.equal(await page.locator('#pronouns').inputValue(), '', 'not given until the clinician chooses');
  const openings = async (pronouns) => {
    await page.selectOption('#pronouns', pronouns);
    await page.getByRole('button', { name: 'Write the note again' }).click();
    await page.waitForSelector('#app[data-state="done"]', { timeout: 30_000 });
    const texts = await sentences().allInnerTexts();
    const count = (word) => texts.filter((t) => t.startsWith(`${word} `)).length;
    return { he: count('He'), she: count('She'), patient: count('The patient'), texts };
  };
  const she = await openings('SHE_HER');
  assert.ok(she.she >= 1 && she.he === 0, she.texts.join(' | '));
  const he = await openings('HE_HIM');
  assert.ok(he.he === she.she && he.she === 0, he.texts.join(' | '));
  const they = await openings('THEY_THEM');
  assert.ok(they.he === 0 && they.she === 0 && they.patient >= she.she, they.texts.join(' | '));
  await page.selectOption('#pronouns', '');
});

test('leaving the page or starting another visit asks first while a corrected sentence is not yet saved, and not once it is', async () => {
  assert.equal(await leaveIsHeld(page), false, 'a note as the scribe wrote it, from a file, can be made again');
  await sentences().first().click();
  await page.keyboard.press('End');
  await page.keyboard.type(' Reviewed.');
  assert.equal(await leaveIsHeld(page), true, 'a correction not yet saved');
  // Another visit would replace this one: the page asks, and "Cancel" keeps the visit and the correction.
  const asked = new Promise((resolve) => page.once('dialog', async (d) => { resolve(`${d.type()}: ${d.message()}`); await d.dismiss(); }));
  await page.getByRole('button', { name: 'Try the sample visit' }).click();
  assert.match(await asked, /^confirm: .*not saved/);
  assert.equal(await page.getAttribute('#app', 'data-state'), 'done', 'nothing started');
  assert.match(await sentences().first().innerText(), /Reviewed\.$/);
  await download('note.txt');
  assert.equal(await leaveIsHeld(page), false, 'saved');
});

test('the package in a worker: aborting mid-note rejects with AbortError and the scribe carries on', { timeout: 120_000 }, async () => {
  const dialogue = await readFile(join(ROOT, 'tests/fixtures/notes/D2N069.dialogue.txt'), 'utf8');
  const out = await page.evaluate(async (text) => {
    const { createScribe } = await import('/pkg/index.js');
    const scribe = await createScribe({ modelBase: '/models/', clinical: false });
    try {
      const controller = new AbortController();
      const seen = [];
      let error;
      try {
        await scribe.noteFromText(text, {
          signal: controller.signal,
          onProgress: (e) => {
            seen.push(e);
            if (e.sentencesWritten === 1) controller.abort();
          },
        });
      } catch (e) {
        error = e.name;
      }
      const countAtAbort = seen.length;
      const events = [];
      const { documentation } = await scribe.noteFromText(text, { onProgress: (e) => events.push(e) });
      const written = documentation.ClinicalDocumentation.Sections;
      const order = written.map((x) => x.SectionName);
      return {
        error, countAtAbort, later: seen.length, isolated: crossOriginIsolated,
        sentences: documentation.ClinicalDocumentation.Sections.flatMap((x) => x.Summary).length,
        // The worker forwards each checked sentence; in the note's section order they are its sentences.
        sentenceEvents: events.filter((e) => e.status === 'sentence')
          .map((e) => [e.stage, e.section, e.text, e.byModel])
          .sort((a, b) => order.indexOf(a[1]) - order.indexOf(b[1])),
        noteSentences: written.flatMap((x) => x.Summary.map((y) => ['note', x.SectionName, y.SummarizedSegment, false])),
      };
    } finally {
      await scribe.dispose();
    }
  }, dialogue);
  assert.equal(out.isolated, true, 'the demo page can share a stop flag with the worker');
  assert.equal(out.error, 'AbortError');
  assert.equal(out.later, out.countAtAbort, 'no progress after the abort');
  assert.ok(out.sentences >= 5, `the next note is whole (${out.sentences} sentences)`);
  assert.ok(out.sentenceEvents.length >= 4);
  assert.deepEqual(out.sentenceEvents, out.noteSentences, 'sentence events come through the worker');
});

test('nothing was requested from any other origin', () => {
  assert.deepEqual(demo.foreign, []);
});

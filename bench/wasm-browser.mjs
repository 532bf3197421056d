// Transcribes one recording with the wasm build in headless Chromium (the package's Web Worker, one
// thread), served by www/serve.mjs, and prints one JSON line like bench/wasm-node.mjs.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [audioPath, asr = null] = process.argv.slice(2);
const server = spawn(process.execPath, ['www/serve.mjs'], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((ok, fail) => {
  server.stdout.on('data', (d) => { const m = /:(\d+)/.exec(String(d)); if (m) ok(Number(m[1])); });
  server.on('exit', () => fail(new Error('server exited')));
});
const profile = await mkdtemp(join(tmpdir(), 'bedside-bench-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/`);
  // The server only serves www/, pkg/ and models/, so the clip's bytes are handed to the page.
  const bytes = [...new Uint8Array(await readFile(audioPath))];
  const result = await page.evaluate(async ({ bytes, asr }) => {
    const { createScribe } = await import('/pkg/index.js');
    const t0 = performance.now();
    const scribe = await createScribe({ modelBase: '/models', asr: asr ?? undefined, cache: false, clinical: false });
    const loadSeconds = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const { transcript } = await scribe.process(new Uint8Array(bytes), { note: false });
    const seconds = (performance.now() - t1) / 1000;
    await scribe.dispose();
    const audioSeconds = transcript.Conversation.Bedside.audioSeconds;
    return { runtime: 'wasm-chromium', loadSeconds, seconds, audioSeconds, rtf: seconds / audioSeconds,
      text: transcript.Conversation.TranscriptSegments.map((s) => s.Content).join(' ') };
  }, { bytes, asr });
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.kill();
  await rm(profile, { recursive: true, force: true });
}

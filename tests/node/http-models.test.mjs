// Models over HTTP (the browser's path, here through Node's fetch): streamed progress and verification.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { createScribe } from '../../pkg/index.js';
import { MODELS, modelsWithCorruptFile } from './helpers.mjs';

// A throwaway server for one folder; records what was asked of it.
async function serve(dir) {
  const requests = [];
  const server = createServer(async (req, res) => {
    requests.push(req.url);
    const file = join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/models\//, ''));
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Length': info.size });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${server.address().port}/models`, requests, close: () => server.close() };
}

test('downloads report growing progress to the full size, then load', async () => {
  const srv = await serve(MODELS);
  try {
    const events = [];
    const scribe = await createScribe({ modelBase: srv.base, onProgress: (e) => events.push(e) });
    await scribe.dispose();
    const weights = events.filter((e) => e.status === 'progress' && e.file.endsWith('.gguf'));
    assert.ok(weights.length > 1, 'the weights arrive in several chunks');
    assert.ok(weights.every((e, i) => i === 0 || e.loaded > weights[i - 1].loaded));
    assert.equal(weights.at(-1).loaded, weights.at(-1).total);
    assert.equal(events.at(-1).status, 'ready');
    assert.ok(srv.requests.includes('/models/manifest.json'));
  } finally {
    srv.close();
  }
});

test('a corrupted download is MODEL_CHECKSUM; a missing one is MODEL_INVALID', async () => {
  const dir = await modelsWithCorruptFile('silero-vad-16k');
  const srv = await serve(dir);
  try {
    await assert.rejects(createScribe({ modelBase: srv.base }), (e) => e.code === 'MODEL_CHECKSUM' && /silero-vad-16k/.test(e.message));
    await rm(join(dir, 'mel-filters-80.f32'));
    await assert.rejects(createScribe({ modelBase: srv.base }), (e) => e.code === 'MODEL_INVALID' && /404/.test(e.message));
  } finally {
    srv.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a GGUF by URL, without a manifest entry: progress up to its Content-Length, checked to be a GGUF', { timeout: 120_000 }, async () => {
  const srv = await serve(MODELS);
  const gguf = 'SmolLM2-135M-Instruct.wasm-q8_0.gguf';
  try {
    // A model folder on disk, the language model from a server.
    const events = [];
    let scribe = await createScribe({ modelBase: MODELS, clinical: false, llm: `${srv.base}/${gguf}`, onProgress: (e) => events.push(e) });
    assert.equal(scribe.llm, gguf);
    await scribe.dispose();
    const mine = events.filter((e) => e.file === `${srv.base}/${gguf}`);
    assert.deepEqual(mine[0], { status: 'initiate', file: `${srv.base}/${gguf}`, total: 0 });
    const { size } = await stat(join(MODELS, gguf));
    const progress = mine.filter((e) => e.status === 'progress');
    assert.ok(progress.length > 1 && progress.every((e) => e.total === size));
    assert.equal(progress.at(-1).loaded, size);
    assert.equal(mine.at(-1).status, 'done');
    // A relative URL is resolved against modelBase.
    scribe = await createScribe({ modelBase: srv.base, clinical: false, llm: gguf });
    assert.equal(scribe.llm, gguf);
    await scribe.dispose();
    assert.ok(srv.requests.filter((r) => r === `/models/${gguf}`).length === 2);
    await assert.rejects(createScribe({ modelBase: srv.base, clinical: false, llm: 'lexicon-en.txt.gz' }),
      (e) => e.code === 'SETTINGS_INVALID', 'a bare name that is neither in the manifest nor a .gguf');
    await assert.rejects(createScribe({ modelBase: srv.base, clinical: false, llm: './lexicon-en.txt.gz' }),
      (e) => e.code === 'MODEL_INVALID' && /not a GGUF/.test(e.message));
  } finally {
    srv.close();
  }
});

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

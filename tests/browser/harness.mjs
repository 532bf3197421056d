// Shared set-up for the browser tests: the demo server on a free port and headless Chromium
// (the system build, driven by playwright-core; no browser download).

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export { wavBytes } from '../wav.mjs';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Starts www/serve.mjs with PORT=0 and resolves once it prints its address. */
export function startServer() {
  const child = spawn(process.execPath, [join(ROOT, 'www/serve.mjs')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => { child.kill(); reject(new Error('demo server did not start')); }, 10_000);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`demo server exited (${code})`)); });
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve({
          origin: `http://127.0.0.1:${m[1]}`,
          close: () => new Promise((done) => { child.once('exit', done); child.kill(); }),
        });
      }
    });
  });
}

const BASE_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps', '--mute-audio',
];

/** A fresh profile each time, so the model cache starts empty. */
export async function launch(extraArgs = []) {
  const profile = await mkdtemp(join(tmpdir(), 'bedside-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_ARGS, ...extraArgs],
    viewport: { width: 1100, height: 1000 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Records every request a page (and its workers) makes that does not go to `origin`. */
export function watchForeignRequests(context, origin) {
  const foreign = [];
  context.on('request', (req) => {
    const url = req.url();
    // blob: and data: URLs never leave the machine.
    if (url.startsWith('blob:') || url.startsWith('data:')) return;
    if (new URL(url).origin !== origin) foreign.push(url);
  });
  return foreign;
}

/** Starts the demo server and a fresh Chromium on it, waits until the models are loaded, and records
 * requests to other origins. `onContext` sees the browser context before the page opens. */
export async function openDemo({ onContext } = {}) {
  const server = await startServer();
  const browser = await launch();
  const foreign = watchForeignRequests(browser.context, server.origin);
  await onContext?.(browser.context);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('#app[data-model="ready"]', { timeout: 120_000 });
  const close = async () => {
    await browser.close();
    await server.close();
  };
  return { server, browser, page, foreign, close };
}

/** Words of the truth transcript, lowercased, without punctuation. */
export function words(text) {
  return text.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').split(/\s+/).filter(Boolean);
}

/** Whether the page would hold a navigation away (its beforeunload handler cancels the event). */
export function leaveIsHeld(page) {
  return page.evaluate(() => {
    const event = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(event);
    return event.defaultPrevented;
  });
}

// Loads the page `layerwarp render -o NAME.html` wrote in headless Chromium
// (Debian's, /usr/bin/chromium) and checks what a reader does with it: the
// video loads and plays (Space), Space pauses it, → goes to the next
// chapter's start, ← back to the one before, a click on a stage goes to its
// start, Home and End to the ends; and the page asks for nothing but local
// files.  The chapter starts to expect come from ffprobe, not from the page.
//
//   node page_test.js PAGE.html STARTS FPS [SCREENSHOT.png]
//   STARTS: the chapters' start times in seconds, comma-separated.
'use strict';
const path = require('path');
const { chromium } = require('playwright-core');

const [pagePath, startsArg, fpsArg, shot] = process.argv.slice(2);
const starts = startsArg.split(',').map(Number);
const fps = Number(fpsArg);
const frame = 1 / fps;
let failures = 0;

function check(ok, what) {
  console.log(`${ok ? 'ok' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}

async function until(page, fn, arg, what) {
  try {
    await page.waitForFunction(fn, arg, { timeout: 10000, polling: 20 });
    return true;
  } catch (e) {
    check(false, `${what} (timed out)`);
    return false;
  }
}

const time = page => page.evaluate(() => document.getElementById('video').currentTime);

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const foreign = [];
    page.on('request', r => { if (!r.url().startsWith('file://')) foreign.push(r.url()); });
    const errors = [];
    page.on('pageerror', e => errors.push(String(e)));
    await page.goto('file://' + path.resolve(pagePath));
    if (!await until(page, () => document.getElementById('video').readyState >= 2, null,
                     'the video loads')) return;
    check(await page.evaluate(() => !document.getElementById('video').error),
          'the video decodes (no MediaError)');
    const listed = await page.evaluate(
      () => Array.from(document.querySelectorAll('nav button')).map(b => Number(b.dataset.t)));
    check(listed.length === starts.length,
          `the page lists ${listed.length} stages, the video has ${starts.length} chapters`);

    // Space plays, Space pauses
    await page.keyboard.press('Space');
    if (!await until(page, f => { const v = document.getElementById('video');
                                  return !v.paused && v.currentTime > 3 * f; }, frame,
                     'Space starts playback and time runs')) return;
    check(true, 'Space starts playback and time runs');
    await page.keyboard.press('Space');
    await until(page, () => document.getElementById('video').paused, null, 'Space pauses');
    const t0 = await time(page);

    // → to the next chapter's start, as ffprobe reads it from the file
    const next = starts.find(s => s > t0 + frame / 2);
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(100);
    const t1 = await time(page);
    // within the frame that starts there, never before it (the frame before)
    check(next !== undefined && t1 >= next && t1 - next <= frame,
          `→ at ${t0.toFixed(3)} s goes to the next chapter's start ${next} s (got ${t1})`);
    const after = starts.find(s => s > t1 + frame / 2);
    await page.keyboard.press('ArrowRight');
    await page.waitForTimeout(100);
    const t2 = await time(page);
    check(after !== undefined && t2 >= after && t2 - after <= frame,
          `→ again goes to ${after} s (got ${t2})`);
    await page.keyboard.press('ArrowLeft');
    await page.waitForTimeout(100);
    const t3 = await time(page);
    check(Math.abs(t3 - t1) <= frame, `← goes back to ${t1} s (got ${t3})`);

    // a click on the fourth stage of the list
    const k = Math.min(3, starts.length - 1);
    await page.locator('nav button').nth(k).click();
    await page.waitForTimeout(100);
    const t4 = await time(page);
    check(Math.abs(t4 - starts[k]) <= frame, `a click on stage ${k + 1} goes to ${starts[k]} s (got ${t4})`);
    check(await page.evaluate(i => document.querySelectorAll('nav button')[i]
                                  .getAttribute('aria-current') === 'true', k),
          'the clicked stage is marked as the current one');

    await page.keyboard.press('End');
    await page.waitForTimeout(100);
    const te = await time(page);
    const duration = await page.evaluate(() => document.getElementById('video').duration);
    check(Math.abs(te - (duration - frame)) <= frame, `End goes to the last frame (got ${te}, duration ${duration})`);
    await page.keyboard.press('Home');
    await page.waitForTimeout(100);
    check(await time(page) === 0, 'Home goes to 0');

    check(foreign.length === 0, `nothing fetched from elsewhere ${foreign.join(' ')}`);
    check(errors.length === 0, `no script errors ${errors.join(' ')}`);
    if (shot) {
      await page.locator('nav button').nth(Math.min(4, starts.length - 1)).click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: shot, fullPage: true });
    }
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(failures ? 1 : 0),
            e => { console.log(`FAIL ${e && e.stack || e}`); process.exit(1); });

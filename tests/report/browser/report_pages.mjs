// Opens aebench's report.html pages in a real headless Chromium and checks what a reader sees.
//
//   node tests/report/browser/report_pages.mjs build/aebench
//
// It makes a tiny synthetic MNIST-style dataset, trains a tiny run (with a probe) and evaluates
// it, runs `aebench sweep` over latent 4 and 8 plus a point whose training diverges (beside a
// failed run folder added by hand), runs `aebench report` on the run and `aebench sweep --report`
// on the sweep folder, and opens both pages. On each page: no console error, no
// page error, no failed request, every <img> decoded (naturalWidth > 0), and every number
// marked with data-file / data-key equal to that file's value (the shown text within its six
// significant digits). On the sweep page, clicking a header sorts the runs table by it and a
// second click reverses it. Screenshots of both pages go to $AEBENCH_SCREENSHOT_DIR when set.
//
// Exit codes: 0 passed, 1 failed, 77 skipped (Chromium or the npm packages are not installed:
// scripts/test.sh installs both, and makes a skip a failure); ctest reports 77 as "Skipped".

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const kChromium = '/usr/bin/chromium';
const kSkip = 77;
const here = path.dirname(fileURLToPath(import.meta.url));

// scripts/test.sh sets AEBENCH_BROWSER_TEST_REQUIRED=1: it installed both, so a skip there
// would hide a broken install.
function skip(reason) {
  if (process.env.AEBENCH_BROWSER_TEST_REQUIRED === '1') {
    console.log(`FAILED: the browser test is required, but ${reason}`);
    process.exit(1);
  }
  console.log(`SKIPPED: ${reason}`);
  process.exit(kSkip);
}

const aebench = path.resolve(process.argv[2] ?? path.join(here, '../../../build/aebench'));
if (!fs.existsSync(aebench)) {
  console.error(`report_pages: no aebench binary at ${aebench}; build it first`);
  process.exit(1);
}
if (!fs.existsSync(kChromium)) skip(`no Chromium at ${kChromium} (apt-get install chromium)`);
let puppeteer;
try {
  puppeteer = (await import('puppeteer-core')).default;
} catch {
  skip(`puppeteer-core is not installed (run npm ci in ${here})`);
}

let passed = 0;
let failed = 0;
function check(condition, what) {
  if (condition) {
    passed += 1;
  } else {
    failed += 1;
    console.log(`FAILED: ${what}`);
  }
}

// --- a tiny dataset: class c is a bright bar at a class-specific place (as tests/support) ---
function writeSplit(dir, split, count) {
  const images = Buffer.alloc(16 + count * 784);
  const labels = Buffer.alloc(8 + count);
  images.writeUInt32BE(2051, 0);
  images.writeUInt32BE(count, 4);
  images.writeUInt32BE(28, 8);
  images.writeUInt32BE(28, 12);
  labels.writeUInt32BE(2049, 0);
  labels.writeUInt32BE(count, 4);
  for (let i = 0; i < count; i += 1) {
    const label = i % 10;
    labels[8 + i] = label;
    const offset = 2 + Math.floor(label / 2) * 5 + (i % 3 === 0 ? 1 : 0);
    for (let a = 0; a < 4; a += 1) {
      for (let b = 4; b < 24; b += 1) {
        const row = label % 2 === 0 ? offset + a : b;
        const col = label % 2 === 0 ? b : offset + a;
        images[16 + i * 784 + row * 28 + col] = 255;
      }
    }
  }
  fs.writeFileSync(path.join(dir, `${split}-images-idx3-ubyte`), images);
  fs.writeFileSync(path.join(dir, `${split}-labels-idx1-ubyte`), labels);
}

function run(args) {
  return execFileSync(aebench, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'aebench-report-browser-'));
const dataDir = path.join(scratch, 'data');
fs.mkdirSync(dataDir);
writeSplit(dataDir, 'train', 200);
writeSplit(dataDir, 't10k', 40);
const config = {
  name: 'browser <tiny>',
  seed: 1,
  data: { dataset: 'mnist', dir: dataDir },
  model: { type: 'dense', hidden: [32], latent: 8 },
  train: { epochs: 3, batch_size: 32, lr: 0.003 },
  output: { images: 6 },
  analysis: { embedding: 'pca' },
  probe: { hidden: [16], epochs: 5, pixels: false },
  threads: 1,
};
const configFile = path.join(scratch, 'tiny.json');
fs.writeFileSync(configFile, JSON.stringify(config));

const runDir = path.join(scratch, 'run');
run(['train', configFile, '--quiet', '--out', runDir]);
run(['eval', runDir, '--quiet']);
const sweepDir = path.join(scratch, 'sweep');
// A sweep of two points and one whose training diverges (exit 6: some points failed).
const sweepFile = path.join(scratch, 'sweep.json');
fs.writeFileSync(sweepFile, JSON.stringify({
  base: configFile,
  out: sweepDir,
  set: { 'train.epochs': 2, 'probe.epochs': 2 },
  grid: { 'model.latent': [8, 4] },
  points: [{ 'train.optimizer': 'sgd', 'train.lr': 100, 'model.activation': 'linear',
    'model.latent_activation': 'linear', 'model.output_activation': 'linear' }],
}));
try {
  run(['sweep', sweepFile, '--quiet', '--jobs', '2', '--threads', '1']);
  check(false, 'sweep: a failed point makes the sweep exit non-zero');
} catch (error) {
  check(error.status === 6, `sweep: exit 6 when a point failed (${error.status}: ${error.stderr})`);
}
// A failed point whose error holds markup, added by hand to the folder and to the sweep's
// record (a sweep's report shows only the points its sweep.json names).
fs.mkdirSync(path.join(sweepDir, 'latent_0'));
fs.writeFileSync(path.join(sweepDir, 'latent_0', 'error.txt'),
  'aebench: config error: model.latent: expected an integer in [1, 100000], found 0 <b>bold</b>\n');
const sweepRecord = JSON.parse(fs.readFileSync(path.join(sweepDir, 'sweep.json'), 'utf8'));
sweepRecord.points.push({name: 'latent_0', overrides: {'model.latent': 0}, state: 'failed'});
fs.writeFileSync(path.join(sweepDir, 'sweep.json'), JSON.stringify(sweepRecord));
check(run(['report', runDir]).trim() === path.join(runDir, 'report.html'), 'report prints its file');
run(['sweep', '--report', sweepDir]);
// A sweep over three keys, one of them null in half the points: long legend entries.
const gridDir = path.join(scratch, 'grid');
const gridFile = path.join(scratch, 'grid.json');
fs.writeFileSync(gridFile, JSON.stringify({
  base: configFile,
  out: gridDir,
  set: { 'train.epochs': 1, probe: null, 'analysis.embedding': null },
  grid: { 'model.latent': [4, 8], 'train.lr': [0.003, 0.0001],
    'train.early_stopping': [null, { patience: 5 }] },
}));
run(['sweep', gridFile, '--quiet', '--jobs', '2', '--threads', '1']);

// --- the pages ---
const browser = await puppeteer.launch({
  executablePath: kChromium,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

// The value at a dotted key; a number part indexes a list ("test_report.per_class.0.f1").
function valueAt(document, key) {
  let value = document;
  for (const part of key.split('.')) {
    if (value === null || typeof value !== 'object' || !(part in value)) return undefined;
    value = value[part];
  }
  return value;
}

async function openPage(file, name) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`failed request: ${request.url().slice(0, 80)}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  const images = await page.$$eval('img', (all) =>
    all.map((img) => ({ file: img.dataset.file, complete: img.complete, width: img.naturalWidth })));
  check(images.length > 0 || name.startsWith('sweep'), `${name}: has pictures`);
  for (const image of images) {
    check(image.complete && image.width > 0, `${name}: picture ${image.file} loaded`);
  }
  // Only the page itself and its inlined data: URIs: nothing from the network or other files.
  const outside = requests.filter((url) => url !== pathToFileURL(file).href && !url.startsWith('data:'));
  check(outside.length === 0, `${name}: loads nothing else (${outside.join(', ')})`);
  const marked = await page.$$eval('[data-key][data-file]', (all) =>
    all.map((element) => ({
      file: element.dataset.file, key: element.dataset.key, value: element.dataset.value,
      text: element.textContent,
    })));
  const folder = path.dirname(file);
  for (const item of marked) {
    const document = JSON.parse(fs.readFileSync(path.join(folder, item.file), 'utf8'));
    const expected = valueAt(document, item.key);
    const where = `${name}: ${item.file} ${item.key}`;
    check(JSON.stringify(JSON.parse(item.value)) === JSON.stringify(expected),
      `${where}: data-value ${item.value} equals the file's ${JSON.stringify(expected)}`);
    if (typeof expected === 'number') {
      const shown = parseFloat(item.text);
      check(Math.abs(shown - expected) <= 5e-6 * Math.abs(expected) + 1e-300,
        `${where}: shown ${item.text} is ${expected} to six digits`);
    } else {
      check(item.text === String(expected), `${where}: shown "${item.text}" is "${expected}"`);
    }
  }
  return { page, problems, marked };
}

async function finish(opened, name) {
  const shots = process.env.AEBENCH_SCREENSHOT_DIR;
  if (shots) {
    fs.mkdirSync(shots, { recursive: true });
    await opened.page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  }
  check(opened.problems.length === 0, `${name}: no console errors or failed requests: ${opened.problems.join('; ')}`);
  await opened.page.close();
}

try {
  // The run page.
  const runPage = await openPage(path.join(runDir, 'report.html'), 'run');
  const runKeys = new Set(runPage.marked.map((item) => `${item.file}:${item.key}`));
  for (const key of ['summary.json:test.mse', 'summary.json:test.sse_per_image',
    'summary.json:test.psnr_db', 'summary.json:data.train', 'summary.json:probe.mlp.test_accuracy',
    'eval/summary.json:test.mse', 'config.json:model.latent']) {
    check(runKeys.has(key), `run: shows ${key}`);
  }
  const runImages = await runPage.page.$$eval('img', (all) => all.map((img) => img.dataset.file));
  for (const file of ['loss_curve.png', 'reconstructions.png', 'bottleneck.png', 'weights.png',
    'embedding.png', 'probe/mlp_confusion.png', 'probe/softmax_confusion.png',
    'eval/reconstructions.png']) {
    check(runImages.includes(file), `run: shows ${file}`);
  }
  check(await runPage.page.$('.problems') === null, 'run: no file reported missing');
  check((await runPage.page.title()).startsWith('browser <tiny>'), 'run: the title is the escaped name');
  await finish(runPage, 'run');

  // The sweep page.
  const sweepPage = await openPage(path.join(sweepDir, 'report.html'), 'sweep');
  const { page } = sweepPage;
  const column = async (header) => page.$$eval('#runs tbody tr', (rows, index) =>
    rows.map((row) => row.cells[index].dataset.sort), header);
  const headers = await page.$$eval('#runs thead th', (all) => all.map((th) => th.textContent));
  const latentColumn = headers.indexOf('model.latent');
  const mseColumn = headers.indexOf('test MSE');
  check(latentColumn > 0 && mseColumn > 0, `sweep: latent and MSE columns (${headers.join(' | ')})`);
  check(!headers.includes('model.type') && !headers.includes('output.dir'),
    'sweep: only the config values that differ are columns');
  check((await column(0)).join() === 'latent-4,latent-8', 'sweep: runs listed by folder name');
  const clickHeader = async (index) => page.$$eval('#runs thead th', (all, i) => all[i].click(), index);
  await clickHeader(latentColumn);
  check((await column(latentColumn)).join() === '4,8', 'sweep: a click sorts by latent, ascending');
  await clickHeader(latentColumn);
  check((await column(latentColumn)).join() === '8,4', 'sweep: a second click reverses it');
  check(await page.$eval(`#runs thead th:nth-child(${latentColumn + 1})`,
    (th) => th.getAttribute('aria-sort')) === 'descending', 'sweep: the header shows the order');
  await clickHeader(mseColumn);
  const mse = (await column(mseColumn)).map(Number);
  check(mse.length === 2 && mse[0] <= mse[1], `sweep: a click on test MSE sorts by it (${mse})`);
  const links = await page.$$eval('#runs a', (all) => all.map((a) => a.getAttribute('href')));
  check(links.length === 2, 'sweep: a link per finished run');
  for (const link of links) {
    check(fs.existsSync(path.join(sweepDir, decodeURIComponent(link))), `sweep: ${link} exists`);
  }
  const failedRuns = await page.$$eval('ul.failed li', (all) => all.map((li) => ({
    text: li.textContent, bold: li.querySelectorAll('b').length,
  })));
  const markup = failedRuns.find((run) => run.text.includes('found 0 <b>bold</b>'));
  check(failedRuns.length === 2 && markup && markup.bold === 0,
    'sweep: the failed runs are listed with their errors, as text');
  check(failedRuns.some((run) => run.text.includes('training error: ')),
    'sweep: the diverged point is listed with its training error');
  check(await page.$$eval('#plots svg', (all) => all.length) >= 4, 'sweep: a plot per metric');
  check(await page.$$eval('#plots svg circle[data-run]', (all) => all.length) >= 8,
    'sweep: each plot has a point per run');
  await clickHeader(0);  // back to the folder order for the screenshot
  await finish(sweepPage, 'sweep');

  // The sweep over three keys: what every point shares, the best run per metric, nulls, every
  // run's loss curve, and no text of any chart overlapping another or leaving its chart.
  const gridPage = await openPage(path.join(gridDir, 'report.html'), 'sweep grid');
  const grid = gridPage.page;
  check((await grid.$eval('p.shared', (p) => p.textContent)).includes('train.epochs=1'),
    'grid: states the overrides every point shares');
  const gridHeaders = await grid.$$eval('#runs thead th', (all) => all.map((th) => th.textContent));
  for (const key of ['model.latent', 'train.lr', 'train.early_stopping']) {
    check(gridHeaders.includes(key), `grid: a column for ${key} (${gridHeaders.join(' | ')})`);
  }
  check(await grid.$$eval('#runs td .null', (all) => all.length) === 4,
    'grid: the four points without early stopping show null');
  const best = await grid.$$eval('#runs td.best', (all) => all.map((td) => td.title));
  for (const metric of ['best test MSE', 'best test PSNR (dB)']) {
    check(best.filter((title) => title === metric).length === 1, `grid: one cell marked ${metric}`);
  }
  const charts = await grid.$$eval('#plots svg', (all) => all.map((svg) => {
    const frame = svg.getBoundingClientRect();
    const boxes = Array.from(svg.querySelectorAll('text')).map((text) => {
      const box = text.getBoundingClientRect();
      return { text: text.textContent, left: box.left, right: box.right, top: box.top,
        bottom: box.bottom };
    });
    return { title: svg.getAttribute('aria-label'), legend: svg.querySelectorAll('g.legend').length,
      frame: { left: frame.left, right: frame.right, top: frame.top, bottom: frame.bottom }, boxes };
  }));
  check(charts.some((chart) => chart.title.startsWith('validation loss per epoch') &&
    chart.legend === 8), 'grid: one chart of the 8 runs\' loss curves, each in its legend');
  for (const chart of charts) {
    for (const box of chart.boxes) {
      check(box.left >= chart.frame.left - 0.5 && box.right <= chart.frame.right + 0.5 &&
        box.top >= chart.frame.top - 0.5 && box.bottom <= chart.frame.bottom + 0.5,
      `grid: "${box.text}" lies inside the chart "${chart.title}"`);
    }
    for (let i = 0; i < chart.boxes.length; ++i) {
      for (let j = i + 1; j < chart.boxes.length; ++j) {
        const a = chart.boxes[i], b = chart.boxes[j];
        const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
          Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
        check(!overlap, `grid: "${a.text}" and "${b.text}" do not overlap in "${chart.title}"`);
      }
    }
  }
  await finish(gridPage, 'sweep grid');
} finally {
  await browser.close();
  if (!process.env.AEBENCH_KEEP_SCRATCH) fs.rmSync(scratch, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

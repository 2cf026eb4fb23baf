#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-or-later
// Browser test of the collector's status page (issue 5, test point 5): in
// Debian's headless Chromium, driven by playwright-core, the page must draw
// its charts from live (non-zero) numbers, a pcap file link must download a
// valid pcap, the filtered-download form must convert local time to epoch
// seconds, show a bad BPF's 400 message and estimate before it offers a
// merged pcap that starts with a pcap magic number. A full-page screenshot
// and the browser's console are kept as artifacts. It tests the page, not
// the collector's counters: any collector (or mock-server.py) will do.
//
//   node page-test.mjs URL [OUTDIR]      a running collector, e.g. http://127.0.0.1:8080/
//   node page-test.mjs --mock [OUTDIR]   starts mock-server.py on a free port
//
// Environment: VTAP_URL and VTAP_ARTIFACTS stand for the two arguments;
// VTAP_USER/VTAP_PASSWORD for HTTP Basic; VTAP_INSECURE_TLS=1 accepts a
// self-signed certificate; CHROMIUM (default /usr/bin/chromium);
// VTAP_TIMEOUT_S (default 30) bounds the whole run; VTAP_TZ (default
// Europe/Berlin) is the browser's time zone; VTAP_WEB_REQUIRE=1 turns a
// missing Chromium or playwright-core into a failure instead of a skip.
//
// Exit status: 0 every check passed, 1 a check failed, 2 bad usage,
// 77 skipped (Chromium or playwright-core missing).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const TIMEOUT_S = Number(process.env.VTAP_TIMEOUT_S || 30);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TZ = process.env.VTAP_TZ || 'Europe/Berlin';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
	'--no-first-run', '--disable-background-networking', '--disable-component-update',
	'--disable-sync'];
const MAGICS = {
	a1b2c3d4: 'pcap, big-endian, microseconds',
	d4c3b2a1: 'pcap, little-endian, microseconds',
	a1b23c4d: 'pcap, big-endian, nanoseconds',
	'4d3cb2a1': 'pcap, little-endian, nanoseconds',
	'04224d18': 'LZ4 frame',
};
const KEEP_PCAP_MAX = 10 * 1024 * 1024;

const started = Date.now();
const deadline = started + TIMEOUT_S * 1000;
const left = () => Math.max(500, deadline - Date.now());

const checks = [];
function pass(name, detail) {
	checks.push({ name, ok: true, detail });
	console.log(`ok   ${name}${detail ? ' \u2014 ' + detail : ''}`);
}
class CheckFailed extends Error {}
function fail(name, detail) {
	checks.push({ name, ok: false, detail });
	console.log(`FAIL ${name} \u2014 ${detail}`);
	throw new CheckFailed(`${name}: ${detail}`);
}

function usage(msg) {
	if (msg) {
		console.error(`page-test: ${msg}`);
	}
	console.error('usage: node page-test.mjs URL|--mock [OUTDIR]   (or VTAP_URL, VTAP_ARTIFACTS)');
	process.exit(2);
}

function skip(msg) {
	if (process.env.VTAP_WEB_REQUIRE === '1') {
		console.error(`page-test: FAIL: ${msg}`);
		process.exit(1);
	}
	console.error(`page-test: SKIP: ${msg}`);
	process.exit(77);
}

// Starts mock-server.py on a free loopback port; resolves to its URL.
function startMock() {
	return new Promise((resolveUrl, reject) => {
		const child = spawn('python3', [join(HERE, 'mock-server.py'), '--port', '0', '--quiet'],
			{ stdio: ['ignore', 'pipe', 'inherit'] });
		let out = '';
		const timer = setTimeout(() => reject(new Error('mock server did not start within 10 s')), 10000);
		child.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		child.on('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`mock server exited with status ${code}`));
		});
		child.stdout.on('data', (d) => {
			out += d;
			const m = out.match(/listening on (http:\/\/\S+)/);
			if (m) {
				clearTimeout(timer);
				child.removeAllListeners('exit');
				resolveUrl({ url: m[1], child });
			}
		});
	});
}

async function firstBytesOfFile(path, n) {
	const fh = await open(path, 'r');
	try {
		const buf = Buffer.alloc(n);
		const { bytesRead } = await fh.read(buf, 0, n, 0);
		return buf.subarray(0, bytesRead);
	} finally {
		await fh.close();
	}
}

function magicOf(bytes) {
	const hex = Buffer.from(bytes.subarray(0, 4)).toString('hex');
	return { hex, kind: MAGICS[hex] };
}

// What the page shows, read in the browser: used both as the wait
// condition and, on a timeout, to say which part is missing.
function probePage() {
	const out = { updates: 0, traffic: 'no chart', apps: 'no chart', frames: 'missing' };
	out.updates = Number(document.documentElement.dataset.updates || 0);
	const C = window.Chart;
	if (!C || typeof C.getChart !== 'function') {
		out.traffic = out.apps = 'Chart.js not loaded';
		return out;
	}
	const canvasOk = (c) => c && c.width > 0 && c.height > 0;
	const tc = document.getElementById('chart-traffic');
	const t = tc && C.getChart(tc);
	if (t && canvasOk(tc)) {
		const ys = (t.data.datasets[0] || { data: [] }).data.map((p) => (typeof p === 'object' ? p.y : p));
		out.traffic = { points: ys.length, max: ys.length ? Math.max(...ys) : 0,
			drawn: Boolean(t.chartArea && t.chartArea.width > 0) };
	}
	const ac = document.getElementById('chart-apps');
	const a = ac && C.getChart(ac);
	if (a && canvasOk(ac)) {
		const d = a.data.datasets[0].data;
		out.apps = { slices: d.length, sum: d.reduce((x, y) => x + y, 0),
			drawn: Boolean(a.chartArea && a.chartArea.width > 0) };
	}
	const f = document.getElementById('kpi-frames');
	if (f) {
		out.frames = { text: f.textContent, exact: Number((f.title || '').replace(/[^0-9]/g, '')) || 0 };
	}
	out.live = out.updates >= 2 &&
		typeof out.traffic === 'object' && out.traffic.drawn && out.traffic.max > 0 &&
		typeof out.apps === 'object' && out.apps.drawn && out.apps.sum > 0 &&
		typeof out.frames === 'object' && out.frames.exact > 0;
	return out;
}

async function main() {
	const pos = process.argv.slice(2);
	if (pos.includes('-h') || pos.includes('--help')) {
		usage();
	}
	let target = pos[0] || process.env.VTAP_URL;
	const outDir = resolve(pos[1] || process.env.VTAP_ARTIFACTS || join(HERE, 'artifacts'));
	if (!target) {
		usage('no URL given');
	}
	if (target !== '--mock' && !/^https?:\/\//.test(target)) {
		usage(`not an http(s) URL: ${target}`);
	}
	if (!existsSync(CHROMIUM)) {
		skip(`${CHROMIUM} not found (apt-get install chromium)`);
	}
	let chromium;
	try {
		({ chromium } = await import('playwright-core'));
	} catch (e) {
		skip(`playwright-core not installed (cd ${HERE} && npm ci): ${e.message}`);
	}
	await mkdir(outDir, { recursive: true });

	let mock = null;
	if (target === '--mock') {
		mock = await startMock();
		target = mock.url;
		console.log(`page-test: mock server at ${target}`);
	}
	const base = target.endsWith('/') ? target : target + '/';

	const profile = await mkdtemp(join(tmpdir(), 'vtap-page-test-'));
	const consoleLines = [];
	const pageErrors = [];
	let context = null;
	let page = null;
	let status = 1;
	try {
		const creds = process.env.VTAP_USER ?
			{ username: process.env.VTAP_USER, password: process.env.VTAP_PASSWORD || '' } : undefined;
		try {
			context = await chromium.launchPersistentContext(profile, {
				executablePath: CHROMIUM,
				headless: true,
				args: CHROMIUM_ARGS,
				viewport: { width: 1440, height: 900 },
				acceptDownloads: true,
				httpCredentials: creds,
				ignoreHTTPSErrors: process.env.VTAP_INSECURE_TLS === '1',
				timezoneId: TZ,
				locale: 'en-US',
				timeout: left(),
			});
		} catch (e) {
			fail('launch chromium', e.message.split('\n')[0]);
		}
		page = context.pages()[0] || await context.newPage();
		page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
		page.on('pageerror', (e) => pageErrors.push(String(e && e.stack || e)));

		// 1. The page loads with its scripts and styles.
		const res = await page.goto(base, { waitUntil: 'load', timeout: left() }).catch((e) => fail('open page', e.message.split('\n')[0]));
		if (!res || !res.ok()) {
			fail('open page', `GET ${base} answered ${res ? res.status() : 'nothing'}`);
		}
		const loaded = await page.evaluate(() => ({
			chart: typeof window.Chart === 'function' ? window.Chart.version : null,
			app: typeof window.vtapPage === 'object',
			css: getComputedStyle(document.body).backgroundColor,
		}));
		if (!loaded.app) {
			fail('open page', 'static/app.js did not run');
		}
		if (!loaded.chart) {
			fail('open page', 'static/chart.js did not load (is /static/chart.js mapped to libjs-chart.js?)');
		}
		pass('open page', `${base} with Chart.js ${loaded.chart}`);

		// 2. Charts drawn from live numbers; the counters say so as text too.
		try {
			await page.waitForFunction(`(${probePage.toString()})().live`, null, { timeout: Math.min(left(), 20000), polling: 250 });
		} catch (e) {
			const why = await page.evaluate(`(${probePage.toString()})()`).catch(() => null);
			fail('charts show live numbers', `not within the time limit: ${JSON.stringify(why)}`);
		}
		const live = await page.evaluate(`(${probePage.toString()})()`);
		pass('charts show live numbers', `traffic: ${live.traffic.points} points, peak ${live.traffic.max} pkt/s; ` +
			`applications: ${live.apps.slices} slices; frames received: ${live.frames.text}`);

		const texts = await page.evaluate(() => ({
			pps: document.getElementById('kpi-pps').textContent,
			traffic: document.getElementById('traffic-text').textContent,
			apps: document.querySelectorAll('#table-apps tbody tr:not(.empty)').length,
			horizon: document.getElementById('horizon-text').textContent,
			health: document.getElementById('health').dataset.state,
		}));
		if (!/^Last /.test(texts.traffic) || texts.apps === 0) {
			fail('numbers readable as text', JSON.stringify(texts));
		}
		pass('numbers readable as text', `${texts.pps} pkt/s; ${texts.apps} application rows; "${texts.horizon}"; health ${texts.health}`);

		// 3. A file link downloads a pcap (a closed file if there is one).
		let link = page.locator('a.file-link[data-open="0"]').first();
		if (await link.count() === 0) {
			link = page.locator('a.file-link').first();
		}
		try {
			await link.waitFor({ state: 'visible', timeout: Math.min(left(), 5000) });
		} catch (e) {
			fail('file download', 'no pcap file link on the page');
		}
		const href = await link.getAttribute('href');
		let download;
		try {
			[download] = await Promise.all([
				page.waitForEvent('download', { timeout: left() }),
				link.click(),
			]);
		} catch (e) {
			fail('file download', `clicking ${href} started no download: ${e.message.split('\n')[0]}`);
		}
		const saved = await Promise.race([
			download.path(),
			new Promise((r) => setTimeout(() => r(null), left())),
		]);
		if (!saved) {
			fail('file download', `${href}: ${(await download.failure()) || 'did not finish in time'}`);
		}
		const head = await firstBytesOfFile(saved, 24);
		const magic = magicOf(head);
		if (!magic.kind) {
			fail('file download', `${href} starts with ${magic.hex || 'nothing'}, not a pcap magic number`);
		}
		const size = (await stat(saved)).size;
		if (size <= KEEP_PCAP_MAX) {
			await copyFile(saved, join(outDir, 'download.pcap'));
		}
		pass('file download', `${href} \u2192 "${download.suggestedFilename()}", ${size} bytes, ${magic.kind}`);

		// 4. The form reads datetime-local as the browser's local time.
		const fromLocal = '2026-07-01T12:00:00';
		const toLocal = '2026-07-01T12:30:00';
		const expect = await page.evaluate(([a, b]) => [new Date(a).getTime() / 1000, new Date(b).getTime() / 1000],
			[fromLocal, toLocal]);
		await page.fill('#f-from', fromLocal);
		await page.fill('#f-to', toLocal);
		await page.fill('#f-filter', '');
		const [tzReq] = await Promise.all([
			page.waitForRequest((r) => r.url().includes('/api/v1/pcap/estimate?'), { timeout: left() }),
			page.click('#f-estimate'),
		]);
		const tzUrl = new URL(tzReq.url());
		if (Number(tzUrl.searchParams.get('from')) !== expect[0] || Number(tzUrl.searchParams.get('to')) !== expect[1]) {
			fail('local time to epoch', `${fromLocal}..${toLocal} in ${TZ} sent as ${tzUrl.search}, expected from=${expect[0]}&to=${expect[1]}`);
		}
		await page.locator('#f-result, #f-error').first().waitFor({ state: 'visible', timeout: left() })
			.catch(() => fail('local time to epoch', 'the estimate showed neither a result nor an error'));
		pass('local time to epoch', `${fromLocal} ${TZ} \u2192 from=${expect[0]}`);

		// 5. A bad BPF expression: the 400's message is shown by the form.
		await page.click('.chip[data-minutes="5"]');
		await page.fill('#f-filter', 'tcp and (');
		const [badRes] = await Promise.all([
			page.waitForResponse((r) => r.url().includes('/api/v1/pcap/estimate?'), { timeout: left() }),
			page.click('#f-estimate'),
		]);
		if (badRes.status() !== 400) {
			fail('bad filter shown', `estimate with "tcp and (" answered ${badRes.status()}, expected 400`);
		}
		const errBox = page.locator('#f-error');
		await errBox.waitFor({ state: 'visible', timeout: left() })
			.catch(() => fail('bad filter shown', 'no error next to the form'));
		const errText = (await errBox.textContent()).trim();
		if (!errText || await page.locator('#f-download').isVisible()) {
			fail('bad filter shown', `error "${errText}", download link visible: ${await page.locator('#f-download').isVisible()}`);
		}
		pass('bad filter shown', `"${errText}"`);

		// 6. Estimate, then the merged download starts with a pcap header.
		const bpf = process.env.VTAP_BPF || 'ip or ip6';
		await page.fill('#f-filter', bpf);
		const [estRes] = await Promise.all([
			page.waitForResponse((r) => r.url().includes('/api/v1/pcap/estimate?'), { timeout: left() }),
			page.click('#f-estimate'),
		]);
		if (estRes.status() !== 200) {
			fail('estimate then download', `estimate answered ${estRes.status()}: ${await estRes.text()}`);
		}
		const dl = page.locator('#f-download');
		await dl.waitFor({ state: 'visible', timeout: left() })
			.catch(() => fail('estimate then download', 'no download link after the estimate'));
		const est = (await page.locator('#f-result').innerText()).replace(/\s+/g, ' ').trim();
		const mergedHref = await dl.getAttribute('href');
		const merged = await page.evaluate(async ([url, ms]) => {
			// Only the header is needed: read the first chunk and hang up,
			// so a large merge costs the collector nothing more.
			const ctl = new AbortController();
			const timer = setTimeout(() => ctl.abort(), ms);
			try {
				const r = await fetch(url, { signal: ctl.signal });
				const reader = r.body.getReader();
				let bytes = new Uint8Array(0);
				while (bytes.length < 24) {
					const { done, value } = await reader.read();
					if (done) {
						break;
					}
					const b = new Uint8Array(bytes.length + value.length);
					b.set(bytes);
					b.set(value, bytes.length);
					bytes = b;
				}
				reader.cancel().catch(() => {});
				return { status: r.status, disposition: r.headers.get('content-disposition'),
					head: Array.from(bytes.subarray(0, 24)) };
			} catch (e) {
				return { error: String(e) };
			} finally {
				clearTimeout(timer);
			}
		}, [mergedHref, Math.max(1000, left() - 500)]);
		if (merged.error || merged.status !== 200) {
			fail('estimate then download', `${mergedHref}: ${merged.error || 'status ' + merged.status}`);
		}
		const mm = magicOf(Buffer.from(merged.head));
		if (!mm.kind) {
			fail('estimate then download', `${mergedHref} starts with ${mm.hex || 'nothing'}, not a pcap magic number`);
		}
		pass('estimate then download', `"${est}"; ${mergedHref} \u2192 ${mm.kind}` +
			(merged.disposition ? '' : ' (no Content-Disposition header)'));

		// 7. No script errors along the way.
		const errors = consoleLines.filter((l) => l.startsWith('[error]') && !/status of 400/.test(l));
		if (pageErrors.length || errors.length) {
			fail('no script errors', [...pageErrors, ...errors].join(' | '));
		}
		pass('no script errors');

		await page.evaluate(() => window.scrollTo(0, 0));
		await page.screenshot({ path: join(outDir, 'page.png'), fullPage: true, timeout: left() });
		pass('screenshot', join(outDir, 'page.png'));
		status = 0;
	} catch (e) {
		if (!(e instanceof CheckFailed)) {
			checks.push({ name: 'unexpected error', ok: false, detail: e.message });
			console.log(`FAIL unexpected error \u2014 ${e.stack || e}`);
		}
		if (page) {
			await page.screenshot({ path: join(outDir, 'failure.png'), fullPage: true, timeout: 5000 })
				.then(() => console.log(`page-test: screenshot of the failure: ${join(outDir, 'failure.png')}`))
				.catch(() => {});
		}
	} finally {
		if (page) {
			await page.content().then((html) => writeFile(join(outDir, 'page.html'), html)).catch(() => {});
		}
		await writeFile(join(outDir, 'console.log'),
			[...consoleLines, ...pageErrors.map((e) => `[pageerror] ${e}`)].join('\n') + '\n').catch(() => {});
		await writeFile(join(outDir, 'result.json'), JSON.stringify({
			url: base, seconds: (Date.now() - started) / 1000, ok: status === 0, checks,
		}, null, 2) + '\n').catch(() => {});
		if (context) {
			await context.close().catch(() => {});
		}
		if (mock) {
			mock.child.kill('SIGTERM');
		}
		await rm(profile, { recursive: true, force: true }).catch(() => {});
	}
	const passed = checks.filter((c) => c.ok).length;
	console.log(`page-test: ${((Date.now() - started) / 1000).toFixed(1)} s, artifacts in ${outDir}`);
	console.log(`page-test: ${passed} passed, ${checks.length - passed} failed`);
	return status;
}

// A last guard in case something hangs past every bounded wait.
const guard = setTimeout(() => {
	console.error(`page-test: FAIL: still running after ${TIMEOUT_S + 15} s`);
	process.exit(1);
}, (TIMEOUT_S + 15) * 1000);
guard.unref();

main().then((code) => process.exit(code), (e) => {
	console.error(`page-test: FAIL: ${e.stack || e}`);
	process.exit(1);
});

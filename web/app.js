// SPDX-License-Identifier: GPL-2.0-or-later
// The status page's logic: poll the collector's JSON API every two seconds,
// write every number into the page as text and, when Chart.js loaded, draw
// the traffic and application charts from the same numbers. It builds the
// filtered-download link only after an estimate of the same query. It never
// puts API strings into innerHTML: names from the network are text.
'use strict';

(function () {
	const REFRESH_MS = 2000;
	const FILES_EVERY = 3;          // refresh the file list every 3rd tick
	const SERIES_SECONDS = 300;
	const LIMIT = 20;
	const FILES_SHOWN = 200;
	const FETCH_TIMEOUT_MS = 8000;
	const PALETTE = ['#2563eb', '#f97316', '#10b981', '#a855f7', '#ef4444',
		'#0ea5e9', '#eab308', '#ec4899', '#14b8a6', '#8b5cf6', '#84cc16',
		'#f43f5e', '#64748b', '#06b6d4', '#d946ef', '#22c55e', '#fb923c',
		'#6366f1', '#facc15', '#0891b2'];

	const $ = (id) => document.getElementById(id);

	// What the test and a curious analyst can inspect from the console.
	const state = {
		updates: 0,
		tick: 0,
		status: null,
		charts: { traffic: null, apps: null },
		errors: {},
	};
	window.vtapPage = state;

	// ------------------------------------------------------------ format

	function num(v) {
		const n = Number(v);
		return Number.isFinite(n) ? n : 0;
	}

	function scaled(n, base, units, unitSep) {
		n = num(n);
		let i = 0;
		let v = Math.abs(n);
		while (v >= base && i < units.length - 1) {
			v /= base;
			i++;
		}
		const sign = n < 0 ? '-' : '';
		if (i === 0) {
			const s = Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 1 : 0);
			return sign + s + (units[0] ? unitSep + units[0] : '');
		}
		const digits = v < 10 ? 2 : v < 100 ? 1 : 0;
		return sign + v.toFixed(digits) + unitSep + units[i];
	}

	// 1234567 -> "1.23 M" (SI, for counts)
	function fmtCount(n) {
		return scaled(n, 1000, ['', 'k', 'M', 'G', 'T', 'P'], ' ');
	}
	// 1536 -> "1.50 KiB"
	function fmtBytes(n) {
		return scaled(n, 1024, ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'], ' ');
	}
	// bits per second, SI
	function fmtBits(n) {
		return scaled(n, 1000, ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'], ' ');
	}
	function fmtInt(n) {
		return Math.round(num(n)).toLocaleString('en-US');
	}
	function fmtPct(part, whole) {
		if (!whole) {
			return '0 %';
		}
		const p = 100 * part / whole;
		if (p > 0 && p < 0.01) {
			return '< 0.01 %';
		}
		return (p < 10 ? p.toFixed(2) : p.toFixed(1)) + ' %';
	}

	// seconds -> "3 h 12 min", "2 d 4 h", "12 min 5 s", "45 s"
	function fmtDuration(s) {
		s = Math.max(0, Math.floor(num(s)));
		const d = Math.floor(s / 86400);
		const h = Math.floor(s % 86400 / 3600);
		const m = Math.floor(s % 3600 / 60);
		const sec = s % 60;
		if (d) {
			return d + ' d' + (h ? ' ' + h + ' h' : '');
		}
		if (h) {
			return h + ' h' + (m ? ' ' + m + ' min' : '');
		}
		if (m) {
			return m + ' min' + (sec ? ' ' + sec + ' s' : '');
		}
		return sec + ' s';
	}

	function pad(n, w) {
		return String(n).padStart(w || 2, '0');
	}

	// The browser's UTC offset at a given moment, "UTC+01:00".
	function utcOffset(date) {
		const off = -date.getTimezoneOffset();
		const sign = off < 0 ? '-' : '+';
		const a = Math.abs(off);
		return 'UTC' + sign + pad(Math.floor(a / 60)) + ':' + pad(a % 60);
	}
	function fmtDate(d) {
		return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate());
	}
	function fmtClock(d) {
		return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
	}
	// ms since the epoch -> "2026-11-26 13:45:02 UTC+01:00"
	function fmtTime(ms, withOffset) {
		const d = new Date(ms);
		return fmtDate(d) + ' ' + fmtClock(d) + (withOffset === false ? '' : ' ' + utcOffset(d));
	}
	// Two instants, the second without its date when it is the same day.
	function fmtRange(ms1, ms2) {
		const a = new Date(ms1);
		const b = new Date(ms2);
		const second = fmtDate(a) === fmtDate(b) ? fmtClock(b) : fmtDate(b) + ' ' + fmtClock(b);
		return fmtDate(a) + ' ' + fmtClock(a) + ' \u2013 ' + second;
	}
	function fmtAgo(ms) {
		const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
		return s < 2 ? 'now' : fmtDuration(s) + ' ago';
	}
	// ns timestamps exceed 2^53 but lose only sub-microsecond digits here.
	function nsToMs(ns) {
		return num(ns) / 1e6;
	}

	function endpoint(addr, port, proto) {
		const a = String(addr || '');
		const p = num(port);
		if (!p && proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP') {
			return a;
		}
		return (a.includes(':') ? '[' + a + ']' : a) + ':' + p;
	}

	// ------------------------------------------------------------ DOM

	function el(tag, props, ...children) {
		const e = document.createElement(tag);
		if (props) {
			for (const [k, v] of Object.entries(props)) {
				if (v === undefined || v === null || v === false) {
					continue;
				}
				if (k === 'class') {
					e.className = v;
				} else if (k === 'text') {
					e.textContent = v;
				} else if (k === 'style') {
					e.setAttribute('style', v);
				} else if (k in e && typeof v !== 'string') {
					e[k] = v;
				} else {
					e.setAttribute(k, v === true ? '' : v);
				}
			}
		}
		for (const c of children) {
			if (c !== null && c !== undefined && c !== false) {
				e.append(c instanceof Node ? c : String(c));
			}
		}
		return e;
	}

	function setText(id, text, title) {
		const e = $(id);
		if (!e) {
			return;
		}
		if (e.textContent !== text) {
			e.textContent = text;
		}
		if (title !== undefined) {
			e.title = title;
		}
	}

	// A count shown short ("1.23 M") with the exact value on hover.
	function countCell(n) {
		return el('td', { class: 'num', title: fmtInt(n), text: fmtCount(n) });
	}
	function bytesCell(n) {
		return el('td', { class: 'num', title: fmtInt(n) + ' bytes', text: fmtBytes(n) });
	}
	function shareCell(part, whole, color) {
		const pct = whole ? Math.min(100, 100 * part / whole) : 0;
		return el('td', { class: 'share-col' },
			el('div', { class: 'share' },
				el('div', { class: 'share-bar' },
					el('span', { style: 'width:' + pct.toFixed(1) + '%' + (color ? ';background:' + color : '') })),
				el('span', { class: 'share-text', text: fmtPct(part, whole) })));
	}
	function countryCell(cc) {
		return cc ? el('td', {}, el('span', { class: 'cc', text: cc })) : el('td', { class: 'muted', text: '\u2014' });
	}

	function fillTable(tableId, rows, emptyText) {
		const table = $(tableId);
		const tbody = table.tBodies[0];
		if (!rows.length) {
			const cols = table.tHead.rows[0].cells.length;
			tbody.replaceChildren(el('tr', { class: 'empty' }, el('td', { colSpan: cols, text: emptyText })));
			return;
		}
		tbody.replaceChildren(...rows);
	}

	// ------------------------------------------------------------ fetch

	async function getJSON(path) {
		const ctl = new AbortController();
		const timer = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_MS);
		try {
			const res = await fetch(path, { cache: 'no-store', signal: ctl.signal,
				headers: { Accept: 'application/json' } });
			let body = null;
			const text = await res.text();
			try {
				body = text ? JSON.parse(text) : null;
			} catch (e) {
				body = null;
			}
			if (!res.ok) {
				const why = body && body.error ? body.error : (body && body.reason) || res.statusText;
				const err = new Error(res.status + ' ' + (why || 'error'));
				err.status = res.status;
				err.body = body;
				throw err;
			}
			if (body === null) {
				throw new Error('not JSON');
			}
			return body;
		} catch (e) {
			if (e.name === 'AbortError') {
				throw new Error('no answer within ' + FETCH_TIMEOUT_MS / 1000 + ' s');
			}
			if (e instanceof TypeError) {
				throw new Error('no connection');      // fetch's "Failed to fetch"
			}
			throw e;
		} finally {
			clearTimeout(timer);
		}
	}

	// ------------------------------------------------------------ charts

	const haveCharts = typeof window.Chart === 'function';

	function cssVar(name, fallback) {
		const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
		return v || fallback;
	}

	function initCharts() {
		if (!haveCharts) {
			document.documentElement.classList.add('no-charts');
			for (const id of ['chart-traffic-empty', 'chart-apps-empty']) {
				const e = $(id);
				e.textContent = 'Chart unavailable (Chart.js did not load); the numbers are listed below.';
				e.hidden = false;
			}
			return;
		}
		const Chart = window.Chart;
		Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
		Chart.defaults.font.size = 12;
		Chart.defaults.color = cssVar('--muted', '#64748b');
		Chart.defaults.borderColor = cssVar('--grid', '#e2e8f0');
		Chart.defaults.animation = false;

		const pk = cssVar('--series-packets', '#2563eb');
		const bits = cssVar('--series-bits', '#10b981');
		const drop = cssVar('--series-drops', '#ef4444');
		state.charts.traffic = new Chart($('chart-traffic'), {
			type: 'line',
			data: {
				datasets: [
					{ label: 'packets/s', yAxisID: 'yPk', data: [], borderColor: pk,
						backgroundColor: pk + '22', fill: true, borderWidth: 1.5,
						pointRadius: 0, tension: 0.25 },
					{ label: 'bits/s', yAxisID: 'yBits', data: [], borderColor: bits,
						backgroundColor: bits, borderWidth: 1.5, pointRadius: 0, tension: 0.25 },
					{ label: 'dropped/s', yAxisID: 'yPk', data: [], borderColor: drop,
						backgroundColor: drop, borderWidth: 1, pointRadius: 0,
						borderDash: [4, 3] },
				],
			},
			options: {
				maintainAspectRatio: false,
				parsing: false,
				normalized: true,
				interaction: { mode: 'index', intersect: false },
				plugins: {
					legend: { position: 'top', align: 'end',
						labels: { boxWidth: 14, boxHeight: 3 } },
					tooltip: {
						callbacks: {
							title: (items) => items.length ? fmtTime(items[0].parsed.x) : '',
							label: (item) => {
								const v = item.parsed.y;
								if (item.dataset.yAxisID === 'yBits') {
									return ' ' + fmtBits(v);
								}
								return ' ' + fmtCount(v) + ' ' + item.dataset.label;
							},
						},
					},
				},
				scales: {
					// Ticks on whole minutes (every UTC offset in use is a
					// whole number of minutes, so they are local minutes too).
					x: { type: 'linear', grid: { display: false },
						ticks: { stepSize: 60000, includeBounds: false, maxRotation: 0,
							callback: (v) => fmtClock(new Date(v)).slice(0, 5) } },
					// suggestedMax keeps an idle collector's axes at
					// whole numbers instead of 0.1 packets/s steps.
					yPk: { position: 'left', beginAtZero: true, suggestedMax: 10,
						title: { display: true, text: 'packets/s' },
						ticks: { precision: 0, callback: (v) => fmtCount(v) } },
					yBits: { position: 'right', beginAtZero: true, suggestedMax: 10000,
						title: { display: true, text: 'bits/s' },
						grid: { drawOnChartArea: false },
						ticks: { precision: 0, callback: (v) => fmtBits(v) } },
				},
			},
		});

		state.charts.apps = new Chart($('chart-apps'), {
			type: 'doughnut',
			data: { labels: [], datasets: [{ data: [], backgroundColor: [],
				borderColor: cssVar('--card', '#fff'), borderWidth: 2 }] },
			options: {
				maintainAspectRatio: false,
				cutout: '62%',
				plugins: {
					legend: { display: false },
					tooltip: {
						callbacks: {
							label: (item) => {
								const total = item.dataset.data.reduce((a, b) => a + b, 0);
								return ' ' + item.label + ': ' + fmtBytes(item.raw) +
									' (' + fmtPct(item.raw, total) + ')';
							},
						},
					},
				},
			},
		});
	}

	// ------------------------------------------------------------ render

	const HEALTH_TEXT = {
		ok: 'Healthy', bad: 'Unhealthy', draining: 'Draining',
		unreachable: 'Unreachable', unknown: 'Connecting\u2026',
	};

	// The pill in the header says the state; the reason gets a strip of its
	// own under the header, where it is not cut short.
	function setHealth(kind, reason) {
		$('health').dataset.state = kind;
		setText('health-text', HEALTH_TEXT[kind], reason || '');
		const strip = $('health-banner');
		// 'unreachable' is told by the refresh banner, with its cause.
		strip.hidden = kind === 'ok' || kind === 'unknown' || kind === 'unreachable';
		strip.className = 'banner ' + (kind === 'draining' ? 'banner-warn' : 'banner-error');
		setText('health-banner', HEALTH_TEXT[kind] + (reason ? ': ' + reason : ''));
		document.title = (kind === 'ok' ? '' : '\u26a0 ' + HEALTH_TEXT[kind] + ' \u00b7 ') + 'vtap collector';
	}

	const REASONS = {
		short: 'too short',
		no_i_flag: 'no VXLAN I flag',
		sender_denied: 'sender denied',
		vni_denied: 'VNI denied',
		oversize: 'oversize',
	};

	// {"short": 3, "oversize": 0, ...} -> ["too short 3"], largest first
	function dropReasons(dropped) {
		return Object.entries(dropped || {})
			.filter(([, v]) => num(v) > 0)
			.sort((a, b) => num(b[1]) - num(a[1]))
			.map(([k, v]) => (REASONS[k] || k.replace(/_/g, ' ')) + ' ' + fmtCount(v));
	}

	function renderStatus(st) {
		state.status = st;
		const c = st.counters || {};
		const disk = st.disk || {};

		setText('version', st.version ? 'v' + st.version : '');
		setText('uptime', 'up ' + fmtDuration(st.uptime_s));

		const health = st.health || {};
		if (st.draining) {
			setHealth('draining', health.ok === false ? health.reason : 'not accepting new traffic');
		} else if (health.ok === false) {
			setHealth('bad', health.reason || 'no reason given');
		} else {
			setHealth('ok', '');
		}

		setText('kpi-frames', fmtCount(c.frames), fmtInt(c.frames) + ' frames');
		setText('kpi-frames-sub', fmtBytes(c.frame_bytes) + ' in ' + fmtCount(c.datagrams) + ' datagrams');
		setText('kpi-written', fmtCount(c.written), fmtInt(c.written) + ' packets');
		setText('kpi-written-sub', fmtBytes(c.written_bytes) +
			(num(c.write_errors) ? ' \u00b7 ' + fmtInt(c.write_errors) + ' write errors' : ''));
		setText('kpi-dropped', fmtCount(c.dropped_total), fmtInt(c.dropped_total) + ' dropped');
		setText('kpi-dropped-sub', fmtPct(c.dropped_total, num(c.datagrams)) + ' of datagrams' +
			' \u00b7 kernel ' + fmtCount(c.kernel_drops));
		// Amber for any drop, red from 1 % of the datagrams on.
		const dropShare = num(c.datagrams) ? num(c.dropped_total) / num(c.datagrams) : 0;
		const dropCard = $('kpi-dropped').closest('.kpi');
		dropCard.classList.toggle('kpi-warn', num(c.dropped_total) > 0 && dropShare < 0.01);
		dropCard.classList.toggle('kpi-alert', num(c.dropped_total) > 0 && dropShare >= 0.01);
		setText('kpi-flows', fmtCount(c.flows_active), fmtInt(c.flows_active) + ' active flows');
		setText('kpi-flows-sub', fmtCount(c.flows_created) + ' created since start');

		const total = num(disk.total_bytes);
		const free = num(disk.free_bytes);
		const pcap = num(disk.pcap_bytes);
		const used = Math.max(0, total - free);
		const other = Math.max(0, used - pcap);
		const files = num(disk.files);
		setText('kpi-disk', fmtBytes(pcap), fmtInt(pcap) + ' bytes of pcaps');
		setText('kpi-disk-sub', fmtInt(files) + (files === 1 ? ' file' : ' files') +
			' \u00b7 ' + fmtPct(used, total) + ' of ' + fmtBytes(total) + ' used');
		$('disk-bar-pcap').style.width = (total ? 100 * pcap / total : 0).toFixed(2) + '%';
		$('disk-bar-other').style.width = (total ? 100 * other / total : 0).toFixed(2) + '%';
		$('disk-bar').setAttribute('aria-label', 'Disk: ' + fmtBytes(pcap) + ' pcaps, ' +
			fmtBytes(other) + ' other, ' + fmtBytes(free) + ' free of ' + fmtBytes(total));
		setText('disk-pcap', fmtBytes(pcap));
		setText('disk-other', fmtBytes(other));
		setText('disk-free', fmtBytes(free) + ' (' + fmtPct(free, total) + ')');
		setText('disk-dir', disk.dir || '');

		if (files > 0 && num(disk.horizon_s) > 0) {
			const horizon = fmtDuration(disk.horizon_s);
			setText('kpi-horizon', horizon);
			setText('kpi-horizon-sub', 'oldest packet ' + fmtAgo(nsToMs(disk.oldest_ns)));
			setText('horizon-text', 'pcaps cover the last ' + horizon);
			setText('horizon-range', fmtRange(nsToMs(disk.oldest_ns), nsToMs(disk.newest_ns)) +
				' ' + utcOffset(new Date(nsToMs(disk.newest_ns))));
		} else {
			setText('kpi-horizon', '\u2014');
			setText('kpi-horizon-sub', 'no pcap written yet');
			setText('horizon-text', files > 0 ? 'pcaps cover less than a second' : 'No pcap files yet.');
			setText('horizon-range', '');
		}

		const healthFact = $('fact-health');
		healthFact.textContent = st.draining ? 'draining' :
			health.ok === false ? 'unhealthy: ' + (health.reason || 'no reason given') : 'healthy';
		healthFact.className = st.draining ? 'warn' : health.ok === false ? 'bad' : 'good';
		setText('fact-workers', fmtInt(st.workers));
		setText('fact-write-errors', fmtInt(c.write_errors));
		$('fact-write-errors').className = num(c.write_errors) ? 'bad' : '';
		setText('fact-kernel-drops', fmtInt(c.kernel_drops));
		const reasons = dropReasons(c.dropped);
		setText('fact-drops', reasons.length ? reasons.join(' \u00b7 ') : 'none');

		renderPeers('table-vnis', st.vnis || [], 'No tap seen yet.');
		renderPeers('table-senders', st.senders || [], 'No sender seen yet.');

		const list = $('vni-list');
		const vnis = (st.vnis || []).map((v) => String(v.name));
		if (list.dataset.vnis !== vnis.join(',')) {
			list.dataset.vnis = vnis.join(',');
			list.replaceChildren(...vnis.map((v) => el('option', { value: v })));
		}
	}

	function renderPeers(tableId, peers, emptyText) {
		const rows = peers.map((p) => {
			const dropped = Object.values(p.dropped || {}).reduce((a, b) => a + num(b), 0);
			const reasons = dropReasons(p.dropped);
			return el('tr', {},
				el('td', { class: 'mono', text: String(p.name) }),
				countCell(p.datagrams),
				bytesCell(p.bytes),
				countCell(p.written),
				el('td', { class: 'num' + (dropped ? ' bad' : ''), title: fmtInt(dropped), text: fmtCount(dropped) }),
				el('td', { class: reasons.length ? 'small' : 'small muted', text: reasons.length ? reasons.join(' \u00b7 ') : 'none' }));
		});
		fillTable(tableId, rows, emptyText);
	}

	function renderSeries(ts) {
		const interval = num(ts.interval_s) || 1;
		const pts = Array.isArray(ts.points) ? ts.points : [];
		const pkts = pts.map((p) => ({ x: num(p.t) * 1000, y: num(p.packets) / interval }));
		const bits = pts.map((p) => ({ x: num(p.t) * 1000, y: num(p.bytes) * 8 / interval }));
		const drops = pts.map((p) => ({ x: num(p.t) * 1000, y: num(p.dropped) / interval }));

		const recent = pts.slice(-5);
		const avg = (arr, f) => arr.length ? arr.reduce((a, p) => a + f(p), 0) / arr.length : 0;
		const pps = avg(recent, (p) => num(p.packets) / interval);
		const bps = avg(recent, (p) => num(p.bytes) * 8 / interval);
		setText('kpi-pps', fmtCount(pps), fmtInt(pps) + ' packets per second');
		setText('kpi-bps', fmtBits(bps), fmtInt(bps) + ' bits per second');
		setText('kpi-pps-sub', 'average of the last ' + recent.length * interval + ' s');
		setText('kpi-bps-sub', fmtBytes(bps / 8) + '/s');

		if (pts.length) {
			const peakPk = Math.max(...pkts.map((p) => p.y));
			const peakBits = Math.max(...bits.map((p) => p.y));
			const dropSum = pts.reduce((a, p) => a + num(p.dropped), 0);
			const span = pts.length * interval;
			setText('traffic-text', 'Last ' + fmtDuration(span) + ': average ' +
				fmtCount(avg(pts, (p) => num(p.packets) / interval)) + ' packets/s (' +
				fmtBits(avg(pts, (p) => num(p.bytes) * 8 / interval)) + '), peak ' +
				fmtCount(peakPk) + ' packets/s (' + fmtBits(peakBits) + '), ' +
				fmtInt(dropSum) + ' dropped. Window ' +
				fmtRange(pts[0].t * 1000, pts[pts.length - 1].t * 1000) + ' ' +
				utcOffset(new Date()) + '.');
		} else {
			setText('traffic-text', 'No data yet.');
		}

		state.series = { pts, interval };
		renderSeriesTable();

		const chart = state.charts.traffic;
		if (chart) {
			chart.data.datasets[0].data = pkts;
			chart.data.datasets[1].data = bits;
			chart.data.datasets[2].data = drops;
			if (pkts.length) {
				chart.options.scales.x.min = pkts[0].x;
				chart.options.scales.x.max = pkts[pkts.length - 1].x;
			}
			chart.update('none');
		}
		const empty = $('chart-traffic-empty');
		if (haveCharts) {
			empty.hidden = pts.some((p) => num(p.packets) > 0);
			empty.textContent = 'No traffic in the last ' + fmtDuration(SERIES_SECONDS) + '.';
		}
	}

	// Built only while the <details> is open: 60 rows every two seconds
	// are wasted work for a reader who does not look at them.
	function renderSeriesTable() {
		if (!$('series-details').open || !state.series) {
			return;
		}
		const { pts, interval } = state.series;
		fillTable('table-series', pts.slice(-60).reverse().map((p) => el('tr', {},
			el('td', { class: 'nowrap', text: fmtClock(new Date(num(p.t) * 1000)) }),
			countCell(num(p.packets) / interval),
			el('td', { class: 'num', text: fmtBits(num(p.bytes) * 8 / interval) }),
			countCell(num(p.dropped) / interval))), 'No data yet.');
	}

	function renderProtocols(res) {
		const list = Array.isArray(res.protocols) ? res.protocols : [];
		// A "total" object, if the collector sends one, makes shares relative
		// to all traffic rather than to the listed applications.
		const listed = list.reduce((a, p) => a + num(p.bytes), 0);
		const total = res.total && num(res.total.bytes) >= listed ? num(res.total.bytes) : listed;
		const rows = list.map((p, i) => el('tr', {},
			el('td', {}, el('i', { class: 'sw', style: 'background:' + PALETTE[i % PALETTE.length] }),
				el('span', { text: String(p.name || 'Unknown') })),
			countCell(p.flows), countCell(p.packets), bytesCell(p.bytes),
			shareCell(num(p.bytes), total, PALETTE[i % PALETTE.length])));
		if (total > listed && list.length) {
			rows.push(el('tr', { class: 'other' },
				el('td', {}, el('i', { class: 'sw sw-rest' }), 'other applications'),
				el('td', { class: 'num muted', text: '' }), el('td', { class: 'num muted', text: '' }),
				bytesCell(total - listed), shareCell(total - listed, total, '#94a3b8')));
		}
		fillTable('table-apps', rows, 'No classified traffic yet.');

		const chart = state.charts.apps;
		if (chart) {
			const labels = list.map((p) => String(p.name || 'Unknown'));
			const data = list.map((p) => num(p.bytes));
			const colors = list.map((p, i) => PALETTE[i % PALETTE.length]);
			if (total > listed) {
				labels.push('other applications');
				data.push(total - listed);
				colors.push('#94a3b8');
			}
			chart.data.labels = labels;
			chart.data.datasets[0].data = data;
			chart.data.datasets[0].backgroundColor = colors;
			chart.update('none');
		}
		if (haveCharts) {
			const empty = $('chart-apps-empty');
			empty.hidden = total > 0;
			empty.textContent = 'No classified traffic yet.';
		}
	}

	function renderTalkers(res) {
		const list = Array.isArray(res.talkers) ? res.talkers : [];
		const total = list.reduce((a, t) => a + num(t.bytes), 0);
		fillTable('table-talkers', list.map((t, i) => el('tr', {},
			el('td', { class: 'rank muted', text: String(i + 1) }),
			el('td', { class: 'mono', text: String(t.addr) }),
			countryCell(t.country),
			countCell(t.flows), countCell(t.packets), bytesCell(t.bytes),
			shareCell(num(t.bytes), total))), 'No talkers yet.');

		const by = new Map();
		for (const t of list) {
			const cc = t.country || '';
			const e = by.get(cc) || { cc, talkers: 0, bytes: 0 };
			e.talkers++;
			e.bytes += num(t.bytes);
			by.set(cc, e);
		}
		const countries = [...by.values()].sort((a, b) => b.bytes - a.bytes);
		fillTable('table-countries', countries.map((c) => el('tr', {},
			c.cc ? el('td', {}, el('span', { class: 'cc', text: c.cc })) :
				el('td', { class: 'muted nowrap', text: 'unknown' }),
			countCell(c.talkers), bytesCell(c.bytes), shareCell(c.bytes, total))), 'No talkers yet.');
	}

	function renderFlows(res) {
		const list = Array.isArray(res.flows) ? res.flows : [];
		fillTable('table-flows', list.map((f) => {
			const first = nsToMs(f.first_ns);
			const last = nsToMs(f.last_ns);
			return el('tr', {},
				el('td', {}, el('span', { class: 'mono', text: endpoint(f.src, f.sport, f.proto) }),
					f.src_country ? el('span', { class: 'cc', text: f.src_country }) : null),
				el('td', {}, el('span', { class: 'mono', text: endpoint(f.dst, f.dport, f.proto) }),
					f.dst_country ? el('span', { class: 'cc', text: f.dst_country }) : null),
				el('td', {}, el('span', { class: 'tag', text: String(f.proto || '?') })),
				el('td', { text: String(f.app || 'Unknown') }),
				el('td', { class: 'num mono', text: f.vni === undefined || f.vni === null ? '\u2014' : String(f.vni) }),
				countCell(f.packets), bytesCell(f.bytes),
				el('td', { class: 'num', text: last && first ? fmtDuration((last - first) / 1000) : '\u2014' }),
				el('td', { class: 'num', title: last ? fmtTime(last) : '', text: last ? fmtAgo(last) : '\u2014' }));
		}), 'No flows yet.');
	}

	function renderFiles(res) {
		const list = Array.isArray(res.files) ? res.files : [];
		const shown = list.slice(0, FILES_SHOWN);
		const totalSize = list.reduce((a, f) => a + num(f.size), 0);
		setText('files-note', list.length ? fmtInt(list.length) + (list.length === 1 ? ' file, ' : ' files, ') +
			fmtBytes(totalSize) + (list.length > shown.length ? ' \u00b7 newest ' + shown.length + ' shown' : ' \u00b7 newest first') : 'newest first');
		fillTable('table-files', shown.map((f) => {
			const first = nsToMs(f.first_ns);
			const last = nsToMs(f.last_ns);
			const name = String(f.name);
			const link = el('a', { class: 'file-link mono', href: 'files/' + encodeURIComponent(name),
				download: '', 'data-open': f.open ? '1' : '0', 'data-compressed': f.compressed ? '1' : '0',
				title: f.compressed ? 'Download (the collector decompresses lz4 on the fly)' : 'Download',
				text: name });
			return el('tr', {},
				el('td', {}, link,
					f.open ? el('span', { class: 'tag tag-live', text: 'writing' }) : null,
					f.compressed ? el('span', { class: 'tag', text: 'lz4' }) : null),
				el('td', { class: 'nowrap', text: first ? fmtRange(first, last || first) : '\u2014' }),
				el('td', { class: 'num', text: first && last ? fmtDuration((last - first) / 1000) : '\u2014' }),
				countCell(f.packets), bytesCell(f.size));
		}), 'No pcap files yet.');
	}

	// ------------------------------------------------------------ loop

	function showErrors() {
		const errs = Object.entries(state.errors);
		const banner = $('banner');
		const statusDown = '/api/v1/status' in state.errors;
		document.documentElement.classList.toggle('stale', statusDown);
		if (!errs.length) {
			banner.hidden = true;
			return;
		}
		const causes = new Set(errs.map(([, v]) => v));
		const what = statusDown && causes.size === 1 ?
			'The collector does not answer (' + [...causes][0] + ').' :
			'Could not refresh \u2014 ' + errs.map(([k, v]) => k + ': ' + v).join('; ') + '.';
		const when = state.lastOk ? ' The numbers shown are from ' + fmtTime(state.lastOk) + '.' : '';
		banner.textContent = what + when;
		banner.hidden = false;
	}

	const SOURCES = [
		['status', 'api/v1/status', renderStatus],
		['timeseries', 'api/v1/timeseries?seconds=' + SERIES_SECONDS, renderSeries],
		['protocols', 'api/v1/protocols?limit=' + LIMIT, renderProtocols],
		['talkers', 'api/v1/talkers?limit=' + LIMIT, renderTalkers],
		['flows', 'api/v1/flows?limit=' + LIMIT, renderFlows],
		['files', 'api/v1/files', renderFiles],
	];

	let timer = null;
	let inFlight = false;

	async function tick() {
		timer = null;
		if (inFlight) {
			return;
		}
		inFlight = true;
		const n = state.tick++;
		const wanted = SOURCES.filter(([name]) => name !== 'files' || n % FILES_EVERY === 0);
		const results = await Promise.allSettled(wanted.map(([, url]) => getJSON(url)));
		let okCount = 0;
		results.forEach((r, i) => {
			const [name, url, render] = wanted[i];
			if (r.status === 'fulfilled') {
				try {
					render(r.value);
					delete state.errors['/' + url.split('?')[0]];
					okCount++;
				} catch (e) {
					state.errors['/' + url.split('?')[0]] = 'unexpected answer (' + e.message + ')';
					console.error(name, e);
				}
			} else {
				state.errors['/' + url.split('?')[0]] = r.reason.message;
			}
		});
		if (results[0].status !== 'fulfilled') {
			setHealth('unreachable', results[0].reason.message);
		}
		if (okCount === wanted.length) {
			state.lastOk = Date.now();
			state.updates++;
			document.documentElement.dataset.updates = String(state.updates);
			const now = new Date();
			setText('updated', fmtClock(now) + ' ' + utcOffset(now));
		}
		showErrors();
		inFlight = false;
		schedule(REFRESH_MS);
	}

	function schedule(ms) {
		if (timer === null && !document.hidden) {
			timer = setTimeout(tick, ms);
		}
	}

	document.addEventListener('visibilitychange', () => {
		if (!document.hidden && !inFlight) {
			if (timer !== null) {
				clearTimeout(timer);
				timer = null;
			}
			tick();
		}
	});

	// ------------------------------------------------------------ download form

	function toLocalInput(ms) {
		const d = new Date(ms);
		return fmtDate(d) + 'T' + fmtClock(d);
	}
	// A datetime-local value ("2026-11-26T13:45" or with seconds) is the
	// browser's local time; new Date() reads a date-time without an offset
	// as local, unlike valueAsNumber, which would treat it as UTC.
	function fromLocalInput(v) {
		if (!v) {
			return NaN;
		}
		const ms = new Date(v).getTime();
		return Number.isFinite(ms) ? Math.floor(ms / 1000) : NaN;
	}

	function formQuery() {
		const from = fromLocalInput($('f-from').value);
		const to = fromLocalInput($('f-to').value);
		if (!Number.isFinite(from) || !Number.isFinite(to)) {
			return { error: 'Enter both a start and an end time.' };
		}
		if (to < from) {
			return { error: 'The end time is before the start time.' };
		}
		const parts = ['from=' + from, 'to=' + to];
		const filter = $('f-filter').value.trim();
		if (filter) {
			parts.push('filter=' + encodeURIComponent(filter));
		}
		const vniText = $('f-vni').value.trim();
		if (vniText) {
			const vni = Number(vniText);
			if (!Number.isInteger(vni) || vni < 0 || vni > 16777215) {
				return { error: 'A VNI is a whole number from 0 to 16777215.' };
			}
			parts.push('vni=' + vni);
		}
		return { from, to, query: parts.join('&') };
	}

	function updateRangeHint() {
		const q = formQuery();
		if (q.error) {
			setText('f-range-hint', '');
			return;
		}
		setText('f-range-hint', 'Local time, ' + utcOffset(new Date(q.from * 1000)) + ' \u00b7 ' +
			fmtDuration(q.to - q.from) + ' \u00b7 epoch ' + q.from + '\u2013' + q.to);
	}

	function resetEstimate() {
		$('f-download').hidden = true;
		$('f-download').removeAttribute('href');
		$('f-result').hidden = true;
		$('f-error').hidden = true;
	}

	function showFormError(msg) {
		const e = $('f-error');
		e.textContent = msg;
		e.hidden = false;
	}

	async function estimate(ev) {
		ev.preventDefault();
		resetEstimate();
		const q = formQuery();
		if (q.error) {
			showFormError(q.error);
			return;
		}
		const button = $('f-estimate');
		button.disabled = true;
		button.textContent = 'Estimating\u2026';
		try {
			const est = await getJSON('api/v1/pcap/estimate?' + q.query);
			if (formQuery().query !== q.query) {
				return;         // the form changed while we waited
			}
			const result = $('f-result');
			const note = est.capped ? el('p', { class: 'warn small',
				text: 'Larger than the download cap of ' + fmtBytes(est.cap_bytes) +
					': the download stops at the cap. Narrow the time range or the filter to get all of it.' }) :
				num(est.packets) === 0 ? el('p', { class: 'muted small',
					text: 'No packet matches: the download would be an empty pcap.' }) : null;
			result.replaceChildren(el('div', { class: 'estimate-figures' },
				el('span', { class: 'muted', text: 'Estimate: ' }),
				el('span', {}, el('b', { text: fmtInt(est.files) }), num(est.files) === 1 ? ' file' : ' files'),
				el('span', { class: 'muted', text: '\u00b7' }),
				el('span', { title: fmtInt(est.packets) + ' packets' }, el('b', { text: fmtCount(est.packets) }), ' packets'),
				el('span', { class: 'muted', text: '\u00b7' }),
				el('span', { title: fmtInt(est.bytes) + ' bytes' }, el('b', { text: fmtBytes(est.bytes) }))));
			if (note) {
				result.append(note);
			}
			result.hidden = false;
			const link = $('f-download');
			link.href = 'api/v1/pcap?' + q.query;
			link.textContent = 'Download pcap (\u2248 ' + fmtBytes(est.bytes) + ')';
			link.hidden = false;
		} catch (e) {
			const msg = e.body && e.body.error ? e.body.error : e.message;
			showFormError((e.status === 400 ? '' : 'Estimate failed: ') + msg);
		} finally {
			button.disabled = false;
			button.textContent = 'Estimate size';
		}
	}

	function setRange(minutes) {
		const now = Date.now();
		let from = now - minutes * 60000;
		if (minutes === 'all') {
			const st = state.status;
			from = st && st.disk && num(st.disk.oldest_ns) ? Math.floor(nsToMs(st.disk.oldest_ns) / 1000) * 1000 : now - 3600000;
		}
		$('f-from').value = toLocalInput(from);
		$('f-to').value = toLocalInput(Math.ceil(now / 1000) * 1000);
		resetEstimate();
		updateRangeHint();
	}

	function initForm() {
		setRange(15);
		const form = $('pcap-form');
		form.addEventListener('submit', estimate);
		form.addEventListener('input', () => {
			resetEstimate();
			updateRangeHint();
		});
		for (const b of form.querySelectorAll('[data-minutes]')) {
			b.addEventListener('click', () => {
				const m = b.dataset.minutes;
				setRange(m === 'all' ? 'all' : Number(m));
			});
		}
	}

	// ------------------------------------------------------------ start

	setText('tz', utcOffset(new Date()));
	$('series-details').addEventListener('toggle', renderSeriesTable);
	initCharts();
	initForm();
	tick();
})();

// Thermowatch dashboard page. Plain JS, no framework.
// Every sensor-supplied string reaches the DOM through textContent or dataset, never innerHTML.
(function () {
  'use strict';

  const { formatTime } = window.thermowatchFormat;

  const CLUSTER_REFRESH_MS = 3000;
  const CHART_REFRESH_MS = 60000;   // the charted history is read again this often (live points fill the gap)
  const SENSORS_REFRESH_MS = 60000; // api/sensors again: labels edited in the inventory file, sensors seen live only
  const AHEAD_MS = 60000;           // history and CSV ranges end this far after now: readings from clocks a bit ahead
  const MAX_CHARTED = 8;            // sensors in one chart: at most 8 x 361 points (HistoryRange on the server)
  const PALETTE = ['#2563eb', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#db2777', '#65a30d', '#854d0e'];
  const STALE_CHECK_MS = 1000;
  const RECONNECT_MIN_MS = 500;
  const RECONNECT_MAX_MS = 5000;
  const RENEW_RETRY_MS = 5000; // a failed token renewal is tried again this soon, while the live connection lasts
  const STATUS_TOPIC = /^sensors\/(.+)\/status$/;
  const VALID_ID = /^[A-Za-z0-9_-]{1,64}$/;

  const el = (id) => document.getElementById(id);

  const state = {
    config: null,
    threshold: Infinity,
    offlineAfterMs: 120000,
    retireAfterMs: Infinity, // from /api/config: a sensor silent this long and not in the inventory leaves the page
    retired: 0,              // sensors left off: the server's count at the last api/sensors, plus the page's since
    skewWarnMs: 30000,
    // The codec's validity rules, from /api/config; until then nothing is trusted.
    rules: { minValue: -273.15, maxValue: 1000, minTimestamp: 946684800000, maxFutureMs: 300000 },
    sensors: new Map(),   // id -> sensor record
    orderDirty: false,    // a row was added or changed rank or group: the table is arranged on the next frame
    groupRows: new Map(), // group key (groups.js) -> its heading row
    alertLevels: new Map(), // sensor id -> worst level firing (api/alerts/active, via alerts.js)
    dirty: new Set(),     // ids whose row must be redrawn on the next animation frame
    frameRequested: false,
    selected: null,       // the row clicked last
    range: { name: '1h', seconds: 3600, stepSeconds: 30 }, // the picker's choice; the ranges come from /api/config
    charted: [],          // sensor ids in the chart, in the order added (their colours follow it)
    series: new Map(),    // id -> { history: [[timeSeconds, avg], ...], live: [[timeSeconds, value], ...] }
    chart: null,
    chartKey: '',         // range and sensors the uPlot instance was made for
    chartDirty: false,
    chartFrame: false,
    client: null,
    reconnectDelay: RECONNECT_MIN_MS,
    reconnectTimer: null,
    renewTimer: null,     // replaces the connection before its token expires
    connectedUri: null,
  };

  // Exposed for tests and for measuring: how much the page does per frame.
  const stats = window.thermowatchStats = {
    messages: 0, flushes: 0, lastFlushMs: 0, maxFlushMs: 0, totalFlushMs: 0, connects: 0, connectedUri: null, clientId: null,
    renewals: 0, chartSensor: null, chartPoints: 0, invalidReadings: 0,
    chartRange: null, chartStepMillis: null, chartSeries: [], downloads: 0,
  };

  // ---- sensors -------------------------------------------------------------------------------------------

  function sensorRecord(id) {
    let sensor = state.sensors.get(id);
    if (!sensor) {
      sensor = { id: id, value: null, timestamp: null, seenAt: null, skewMs: null, status: 'unknown', row: null,
        labels: {}, labelsKey: '{}', listed: false, alertLevel: state.alertLevels.get(id) || null, rank: -1,
        groupKey: null };
      state.sensors.set(id, sensor);
    }
    return sensor;
  }

  function markDirty(sensor) {
    state.dirty.add(sensor.id);
    requestFlush();
  }

  // The codec's rules (common's ReadingCodec, via /api/config): what db-writer would reject is never drawn.
  function isValidReading(value, timestamp) {
    const rules = state.rules;
    return typeof value === 'number' && isFinite(value) && value >= rules.minValue && value <= rules.maxValue
      && Number.isSafeInteger(timestamp) && timestamp >= rules.minTimestamp
      && timestamp <= Date.now() + rules.maxFutureMs;
  }

  // Time rule: the stamp is the sensor's claim, shown as is; "latest" is the reading that ARRIVED last, so no
  // stamp (a clock ahead, a retained reading from the year 2100) can pin a row. A snapshot (the API's stored latest,
  // or a retained message replayed by the broker on subscribe) did not just arrive from the sensor: it only fills a
  // row that has nothing yet or something older.
  function applyReading(id, value, timestamp, seenAt, live) {
    if (!isValidReading(value, timestamp)) {
      stats.invalidReadings++;
      return;
    }
    const sensor = sensorRecord(id);
    if (!live && sensor.timestamp !== null && timestamp <= sensor.timestamp) {
      return;
    }
    if (live) {
      const skew = timestamp - seenAt;
      sensor.skewMs = Math.abs(skew) > state.skewWarnMs ? skew : null;
    }
    sensor.value = value;
    sensor.timestamp = timestamp;
    sensor.seenAt = seenAt;
    sensor.status = 'online';
    markDirty(sensor);
    appendLivePoint(id, timestamp, value);
  }

  // Labels from the sensor inventory (api/sensors): they place the row in its site/room group.
  function applyLabels(sensor, labels) {
    const key = JSON.stringify(labels || {});
    if (key !== sensor.labelsKey) {
      sensor.labels = labels || {};
      sensor.labelsKey = key;
      markDirty(sensor);
    }
  }

  // What is firing now (alerts.js reads api/alerts/active and tells): a sensor's worst level ranks its row.
  function applyAlerts(alerts) {
    const worst = new Map();
    for (const alert of alerts) {
      if (alert.level === 'CRITICAL' || !worst.has(alert.sensor)) {
        worst.set(alert.sensor, alert.level);
      }
    }
    state.alertLevels = worst;
    for (const sensor of state.sensors.values()) {
      const level = worst.get(sensor.id) || null;
      if (sensor.alertLevel !== level) {
        sensor.alertLevel = level;
        markDirty(sensor);
      }
    }
  }

  document.addEventListener('thermowatch:alerts', (event) => applyAlerts(event.detail || []));

  function applyStatus(id, status) {
    const sensor = sensorRecord(id);
    if (status === 'offline') {
      sensor.status = 'offline';
    } else if (status === 'online' && sensor.status !== 'online') {
      sensor.status = 'online';
      sensor.seenAt = Date.now(); // the offline timeout counts from now
    }
    markDirty(sensor);
  }

  function flush() {
    const started = performance.now();
    state.frameRequested = false;
    for (const id of state.dirty) {
      renderRow(state.sensors.get(id));
    }
    state.dirty.clear();
    if (state.orderDirty) {
      arrangeRows();
    }
    renderSummary();
    if (state.chartDirty) {
      renderChart();
    }
    const took = performance.now() - started;
    stats.flushes++;
    stats.lastFlushMs = took;
    stats.totalFlushMs += took;
    stats.maxFlushMs = Math.max(stats.maxFlushMs, took);
  }

  // A sensor's row: role="row" with six role="cell" children, in the order of the column headers.
  function createRow(sensor) {
    const row = document.createElement('div');
    row.className = 'sensor-row';
    row.setAttribute('role', 'row');
    row.dataset.sensor = sensor.id;
    row.tabIndex = 0;
    for (let i = 0; i < 6; i++) {
      const cell = document.createElement('span');
      cell.setAttribute('role', 'cell');
      row.appendChild(cell);
    }
    const cells = row.children;
    const badge = document.createElement('span');
    badge.className = 'badge';
    cells[2].appendChild(badge);
    cells[0].textContent = sensor.id;
    cells[0].title = sensor.id;
    cells[4].appendChild(chartToggle(sensor.id));
    row.addEventListener('click', () => select(sensor.id));
    row.addEventListener('keydown', (event) => {
      if (event.target !== row) {
        return; // a key on the row's checkbox is the checkbox's
      }
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select(sensor.id);
      }
    });
    sensor.row = row;
    el('sensor-rows').appendChild(row); // arrangeRows() puts it in its group's place in this same frame
    state.orderDirty = true;
    el('empty').hidden = true;
    if (state.selected === null && VALID_ID.test(sensor.id)) {
      select(sensor.id); // the first sensor with a history; ids outside the contract (seen live only) have none
    }
  }

  function renderRow(sensor) {
    if (!sensor.row) {
      createRow(sensor);
    }
    const row = sensor.row;
    const cells = row.children;
    const hot = sensor.value !== null && sensor.value > state.threshold;
    cells[1].textContent = sensor.value === null ? '–' : sensor.value.toFixed(1) + ' °C';
    const badge = cells[2].firstChild;
    badge.textContent = sensor.status;
    badge.className = 'badge ' + sensor.status;
    cells[3].textContent = sensor.timestamp === null ? '–' : formatTime(sensor.timestamp);
    row.dataset.skew = sensor.skewMs === null ? '' : (sensor.skewMs > 0 ? 'ahead' : 'behind');
    if (sensor.skewMs !== null) {
      const note = document.createElement('span');
      note.className = 'skew';
      note.textContent = 'clock ' + row.dataset.skew + ' ' + formatSpan(Math.abs(sensor.skewMs));
      note.title = 'stamped ' + formatSpan(Math.abs(sensor.skewMs)) + ' ' + (sensor.skewMs > 0 ? 'after' : 'before')
        + ' it arrived';
      cells[3].appendChild(note);
    }
    const place = thermowatchGroups.placeText(sensor.labels);
    if (cells[5].textContent !== place) {
      cells[5].textContent = place;
      cells[5].title = Object.keys(sensor.labels).map((name) => name + ': ' + sensor.labels[name]).join(', ');
    }
    const rank = thermowatchGroups.rank(sensor, state.threshold);
    const groupKey = thermowatchGroups.groupKey(sensor.labels);
    if (rank !== sensor.rank || groupKey !== sensor.groupKey) {
      sensor.rank = rank;
      sensor.groupKey = groupKey;
      state.orderDirty = true;
    }
    row.dataset.rank = thermowatchGroups.RANK_NAMES[rank];
    row.dataset.status = sensor.status;
    row.dataset.hot = String(hot);
    row.classList.toggle('hot', hot);
    row.classList.toggle('stale', sensor.status === 'stale');
    row.classList.toggle('offline', sensor.status === 'offline');
  }

  // The table in site/room groups, worst first (groups.js says the order): a heading row per group, then its
  // sensors' rows. Moves only the rows out of place, so a frame where no rank changed touches nothing.
  function arrangeRows() {
    state.orderDirty = false;
    const sensors = [];
    for (const sensor of state.sensors.values()) {
      if (sensor.row) {
        sensors.push(sensor);
      }
    }
    const groups = thermowatchGroups.arrange(sensors);
    const wanted = [];
    const keys = new Set();
    for (const group of groups) {
      keys.add(group.key);
      wanted.push(groupHeading(group));
      for (const sensor of group.sensors) {
        wanted.push(sensor.row);
      }
    }
    for (const [key, heading] of state.groupRows) {
      if (!keys.has(key)) {
        heading.remove();
        state.groupRows.delete(key);
      }
    }
    placeRows(el('sensor-rows'), wanted);
  }

  // Puts body's children in the order of wanted with the fewest moves: the rows whose order among themselves is
  // already right (the longest run of increasing wanted positions, in document order) stay; every other row is
  // inserted before its wanted successor, last first. A row that drops down a long table moves alone: walking the
  // table and inserting each row that is not where it should be moved every row between its old and new place.
  function placeRows(body, wanted) {
    const position = new Map();
    wanted.forEach((node, i) => position.set(node, i));
    const current = [];
    for (let node = body.firstChild; node !== null; node = node.nextSibling) {
      if (position.has(node)) {
        current.push(position.get(node));
      }
    }
    const staying = new Set(longestIncreasing(current));
    let successor = null;
    for (let i = wanted.length - 1; i >= 0; i--) {
      if (!staying.has(i)) {
        body.insertBefore(wanted[i], successor);
      }
      successor = wanted[i];
    }
  }

  // The longest strictly increasing subsequence of numbers (patience sorting, n log n).
  function longestIncreasing(numbers) {
    const tails = [];   // tails[k]: index in numbers of the smallest last element of a run of length k + 1
    const previous = new Array(numbers.length);
    for (let i = 0; i < numbers.length; i++) {
      let low = 0;
      let high = tails.length;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (numbers[tails[middle]] < numbers[i]) {
          low = middle + 1;
        } else {
          high = middle;
        }
      }
      tails[low] = i;
      previous[i] = low > 0 ? tails[low - 1] : -1;
    }
    const run = [];
    for (let i = tails.length > 0 ? tails[tails.length - 1] : -1; i >= 0; i = previous[i]) {
      run.push(numbers[i]);
    }
    return run;
  }

  // A group's heading row: never a [data-sensor] row (tests and the latency probe look rows up by that).
  function groupHeading(group) {
    let heading = state.groupRows.get(group.key);
    if (!heading) {
      heading = document.createElement('div');
      heading.className = 'sensor-row group';
      heading.setAttribute('role', 'row');
      const cell = document.createElement('span');
      cell.setAttribute('role', 'rowheader');
      cell.setAttribute('aria-colspan', '6');
      const title = document.createElement('span');
      title.className = 'group-title';
      const summary = document.createElement('span');
      summary.className = 'group-summary';
      cell.append(title, summary);
      heading.appendChild(cell);
      state.groupRows.set(group.key, heading);
    }
    heading.dataset.group = group.title;
    heading.dataset.rank = thermowatchGroups.RANK_NAMES[group.rank];
    heading.firstChild.firstChild.textContent = group.title;
    heading.firstChild.lastChild.textContent = thermowatchGroups.groupSummary(group);
    return heading;
  }

  function renderSummary() {
    let online = 0; let hot = 0; let stale = 0; let offline = 0;
    for (const sensor of state.sensors.values()) {
      if (sensor.status === 'online') { online++; }
      if (sensor.status === 'stale') { stale++; }
      if (sensor.status === 'offline') { offline++; }
      if (sensor.value !== null && sensor.value > state.threshold) { hot++; }
    }
    el('count-total').textContent = String(state.sensors.size);
    el('count-online').textContent = String(online);
    el('count-hot').textContent = String(hot);
    el('count-stale').textContent = String(stale);
    el('count-offline').textContent = String(offline);
    el('count-retired').textContent = String(state.retired);
    el('summary-retired').hidden = state.retired === 0;
  }

  function checkStale() {
    const now = Date.now();
    for (const sensor of state.sensors.values()) {
      if (sensor.seenAt !== null && now - sensor.seenAt > state.retireAfterMs && !sensor.listed) {
        retire(sensor);
      } else if (sensor.status === 'online' && sensor.seenAt !== null && now - sensor.seenAt > state.offlineAfterMs) {
        sensor.status = 'stale';
        markDirty(sensor);
      }
    }
  }

  // The server's rule (SensorState.isRetired), on the page: a sensor silent for longer than the retire time that
  // the inventory does not list leaves the page. Its next reading brings it back.
  function retire(sensor) {
    if (sensor.row) {
      sensor.row.remove();
    }
    state.sensors.delete(sensor.id);
    state.dirty.delete(sensor.id);
    state.retired++;
    if (state.selected === sensor.id) {
      state.selected = null;
    }
    if (state.charted.includes(sensor.id)) {
      setCharted(state.charted.filter((id) => id !== sensor.id));
    }
    state.orderDirty = true; // its group's heading may go, or its summary change
    requestFlush();
  }

  function requestFlush() {
    if (!state.frameRequested) {
      state.frameRequested = true;
      requestAnimationFrame(flush);
    }
  }

  function formatSpan(millis) {
    if (millis < 90000) {
      return Math.round(millis / 1000) + ' s';
    }
    if (millis < 90 * 60000) {
      return Math.round(millis / 60000) + ' min';
    }
    if (millis < 48 * 3600000) {
      return Math.round(millis / 3600000) + ' h';
    }
    return Math.round(millis / 86400000) + ' d';
  }

  // ---- initial load from the API -------------------------------------------------------------------------

  async function getJson(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.error || ('HTTP ' + response.status));
    }
    return body;
  }

  async function loadSensors(pending) {
    try {
      const body = await (pending || getJson('api/sensors'));
      const now = Date.now();
      const answered = new Set();
      for (const view of body.sensors) {
        answered.add(view.sensor);
        // seenAt in this browser's clock: how old the reading was on the server, subtracted from now.
        applyReading(view.sensor, view.value, view.timestamp,
          now - Math.max(0, body.generatedAt - view.timestamp), false);
        const sensor = state.sensors.get(view.sensor);
        if (!sensor) {
          continue; // a reading outside the codec's rules: no row
        }
        applyLabels(sensor, view.labels);
        sensor.listed = view.listed === true;
        if (sensor.timestamp === view.timestamp && view.status !== 'online') {
          sensor.status = view.status;
        }
      }
      for (const sensor of state.sensors.values()) {
        if (!answered.has(sensor.id)) {
          sensor.listed = false; // left off by the server: retired there, or not stored (yet)
        }
      }
      state.retired = body.retired || 0;
      requestFlush();
      el('load-error').hidden = true;
    } catch (error) {
      el('load-error').textContent = 'Could not load sensors: ' + error.message + ' (live updates still arrive)';
      el('load-error').hidden = false;
    }
  }

  // ---- chart: range picker, several sensors, CSV links --------------------------------------------------

  // A row click charts that sensor alone; its checkbox adds it to (or removes it from) the chart.
  function select(id) {
    if (state.selected !== null && state.sensors.has(state.selected)) {
      state.sensors.get(state.selected).row.setAttribute('aria-selected', 'false');
    }
    state.selected = id;
    state.sensors.get(id).row.setAttribute('aria-selected', 'true');
    setCharted([id]);
    document.dispatchEvent(new CustomEvent('thermowatch:select', { detail: { sensor: id } })); // alert-history.js
  }

  function chartToggle(id) {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.className = 'chart-toggle';
    box.setAttribute('aria-label', 'chart ' + id); // an attribute value: text, never markup
    box.checked = state.charted.includes(id);
    box.addEventListener('click', (event) => event.stopPropagation()); // not a row click
    box.addEventListener('change', () => toggleCharted(id, box.checked));
    return box;
  }

  function toggleCharted(id, on) {
    if (!on) {
      setCharted(state.charted.filter((charted) => charted !== id));
      return;
    }
    if (state.charted.includes(id)) {
      return;
    }
    if (state.charted.length >= MAX_CHARTED) {
      syncToggle(id);
      el('chart-note').textContent = 'At most ' + MAX_CHARTED + ' sensors in one chart: untick one first.';
      return;
    }
    setCharted(state.charted.concat([id]));
  }

  function syncToggle(id) {
    const sensor = state.sensors.get(id);
    if (sensor && sensor.row) {
      sensor.row.children[4].firstChild.checked = state.charted.includes(id);
    }
  }

  function setCharted(ids) {
    const before = state.charted;
    state.charted = ids;
    for (const id of before) {
      if (!ids.includes(id)) {
        state.series.delete(id);
        syncToggle(id);
      }
    }
    for (const id of ids) {
      if (!state.series.has(id)) {
        state.series.set(id, { history: [], live: [] });
        loadHistory(id);
      }
      syncToggle(id);
    }
    el('chart-sensor').textContent = ids.length ? ids.join(', ') : 'select a sensor';
    renderDownloads();
    scheduleChart();
  }

  // Called for every valid reading (applyReading): only charted sensors keep their live points.
  function appendLivePoint(id, timestamp, value) {
    const series = state.series.get(id);
    if (series) {
      series.live.push([timestamp / 1000, value]);
      state.chartDirty = true;
    }
  }

  function rangeLabel(name) {
    return name.replace(/^(\d+)([a-z]+)$/, '$1 $2');
  }

  function buildRangePicker(ranges) {
    state.range = ranges[0];
    el('ranges').replaceChildren(...ranges.map((range) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.range = range.name;
      button.textContent = rangeLabel(range.name);
      button.addEventListener('click', () => setRange(range));
      return button;
    }));
    showRange();
  }

  function showRange() {
    for (const button of el('ranges').children) {
      button.setAttribute('aria-pressed', String(button.dataset.range === state.range.name));
    }
    el('chart-range').textContent = 'Last ' + rangeLabel(state.range.name);
    stats.chartRange = state.range.name;
  }

  // A new range: every charted sensor's history again; the live points stay (they are the newest readings).
  function setRange(range) {
    if (range.name === state.range.name) {
      return;
    }
    state.range = range;
    showRange();
    for (const [id, series] of state.series) {
      series.history = [];
      loadHistory(id);
    }
    renderDownloads();
    scheduleChart();
  }

  function refreshHistory() {
    for (const id of state.series.keys()) {
      loadHistory(id);
    }
  }

  // The server picks the step for the range (raw rows, or the aggregates for long ranges): at most 361 points.
  async function loadHistory(id) {
    const range = state.range;
    const to = Date.now() + AHEAD_MS;
    try {
      const body = await getJson('api/sensors/' + encodeURIComponent(id) + '/readings?range='
        + encodeURIComponent(range.name) + '&to=' + to);
      const series = state.series.get(id);
      if (!series || state.range.name !== range.name) {
        return; // unticked or another range meanwhile
      }
      series.history = body.points.map((p) => [p.timestamp / 1000, p.avg]);
      // Live points the history now covers go; the newest bucket may still be filling, so it and later ones stay.
      const newest = series.history.length ? series.history[series.history.length - 1][0] : -Infinity;
      series.live = series.live.filter((p) => p[0] >= newest);
      stats.chartStepMillis = body.stepMillis;
      scheduleChart();
    } catch (error) {
      el('chart-note').textContent = 'History of ' + id + ' unavailable: ' + error.message;
    }
  }

  function scheduleChart() {
    state.chartDirty = true;
    if (!state.chartFrame) {
      state.chartFrame = true;
      requestAnimationFrame(() => {
        state.chartFrame = false;
        if (state.chartDirty) {
          renderChart();
        }
      });
    }
  }

  function chartWidth() {
    return Math.max(300, el('chart').clientWidth || 400);
  }

  // One point list per sensor: history buckets up to its first live point, then the live points.
  function seriesPoints(series, cutoff) {
    series.live = series.live.filter((p) => p[0] >= cutoff).sort((a, b) => a[0] - b[0]);
    const firstLive = series.live.length ? series.live[0][0] : Infinity;
    return series.history.filter((p) => p[0] >= cutoff && p[0] < firstLive).concat(series.live);
  }

  function renderChart() {
    state.chartDirty = false;
    if (typeof uPlot === 'undefined') {
      return;
    }
    const spanSeconds = state.range.seconds;
    const cutoff = Date.now() / 1000 - spanSeconds;
    const tables = [];
    stats.chartSeries = state.charted.map((id) => {
      const points = seriesPoints(state.series.get(id), cutoff);
      tables.push([points.map((p) => p[0]), points.map((p) => p[1])]);
      return { sensor: id, points: points.length, first: points.length ? points[0][0] : null,
        last: points.length ? points[points.length - 1][1] : null };
    });
    const selected = stats.chartSeries.find((s) => s.sensor === state.selected);
    stats.chartSensor = state.selected;
    stats.chartPoints = selected ? selected.points : 0;
    stats.chartLastValue = selected ? selected.last : null;
    const key = state.range.name + '\n' + state.charted.join('\n');
    if (state.chart && state.chartKey !== key) {
      state.chart.destroy();
      state.chart = null;
    }
    if (tables.length === 0) {
      return;
    }
    // One x axis for all: the union of the sensors' times, a sensor without a point at a time is spanned over.
    const data = uPlot.join(tables);
    data.push(data[0].map(() => state.threshold));
    if (state.chart) {
      state.chart.setData(data);
      return;
    }
    state.chartKey = key;
    state.chart = new uPlot({
      width: chartWidth(),
      height: 240,
      scales: {
        // Always the whole range, whatever the data covers.
        x: { time: true, range: () => [Date.now() / 1000 - spanSeconds, Date.now() / 1000 + 30] },
        // The threshold always in view, with a margin around the readings.
        y: { range: (u, min, max) => [Math.min(min, state.threshold) - 1, Math.max(max, state.threshold) + 1] },
      },
      legend: { show: true },
      series: [{}].concat(state.charted.map((id, i) => ({
        label: id, // uPlot writes labels with textContent
        stroke: PALETTE[i % PALETTE.length],
        width: 2,
        spanGaps: true,
        points: { show: stats.chartSeries[i].points < 120 },
      })), [{ label: 'threshold', stroke: '#dc2626', width: 1, dash: [6, 4], points: { show: false } }]),
      axes: [{}, { label: '°C' }],
    }, data, el('chart'));
  }

  // ---- CSV download ------------------------------------------------------------------------------------

  // The range shown, as the chart asks for it; computed when the link is used, so an open page never goes stale.
  function csvHref(id) {
    const to = Date.now() + AHEAD_MS;
    return 'api/sensors/' + encodeURIComponent(id) + '/readings.csv?from=' + (to - state.range.seconds * 1000)
      + '&to=' + to;
  }

  function renderDownloads() {
    const links = state.charted.filter((id) => VALID_ID.test(id)).map((id) => {
      const link = document.createElement('a');
      link.className = 'csv';
      link.dataset.sensor = id;
      link.href = csvHref(id);
      link.download = ''; // the server names the file (Content-Disposition)
      link.textContent = id + '.csv';
      link.addEventListener('click', (event) => download(event, link, id));
      return link;
    });
    el('csv-links').replaceChildren(...links);
    el('downloads').hidden = links.length === 0;
    el('download-error').hidden = true;
  }

  // HEAD first: a refusal (a range over the export's row limit, no database) is shown here with the server's
  // reason, instead of a failed entry in the browser's downloads.
  async function download(event, link, id) {
    event.preventDefault();
    const href = csvHref(id);
    link.href = href;
    el('download-error').hidden = true;
    try {
      const probe = await fetch(href, { method: 'HEAD', cache: 'no-store' });
      if (!probe.ok) {
        const refusal = await fetch(href, { cache: 'no-store' }).then((r) => r.json()).catch(() => ({}));
        throw new Error(refusal.error || ('HTTP ' + probe.status));
      }
    } catch (error) {
      el('download-error').textContent = 'CSV export of ' + id + ' refused: ' + error.message;
      el('download-error').hidden = false;
      return;
    }
    const save = document.createElement('a');
    save.href = href;
    save.download = '';
    document.body.appendChild(save);
    save.click();
    save.remove();
    stats.downloads++;
  }

  // ---- live updates over MQTT-over-WebSocket -------------------------------------------------------------

  function setConnection(stateName, text) {
    const indicator = el('connection');
    indicator.dataset.state = stateName;
    el('connection-text').textContent = text;
    indicator.title = state.config ? state.config.mqtt.url : '';
  }

  function onMessage(message) {
    stats.messages++;
    const topic = message.destinationName;
    if (topic === LIVE_TOPIC) {
      applyLiveFrame(message.payloadString);
      return;
    }
    const match = STATUS_TOPIC.exec(topic);
    if (match) {
      const status = message.payloadString.trim();
      if (status === 'online' || status === 'offline') {
        applyStatus(match[1], status);
      }
    }
  }

  const LIVE_TOPIC = 'dashboard/live';
  stats.readings = 0; // readings the live frames stand for (their counts); stats.messages counts the frames

  // The dashboard's live feed (dashboard/live): per sensor the latest reading that reached the dashboard since its
  // previous frame, and how many did. The frame just arrived, so each entry is a reading that arrived now: the
  // page's time rules (latest by arrival, clock skew, staleness) apply to it as to a reading of its own.
  function applyLiveFrame(payload) {
    let frame;
    try {
      frame = JSON.parse(payload);
    } catch (e) {
      return;
    }
    if (!frame || !Array.isArray(frame.readings)) {
      return;
    }
    const arrivedAt = Date.now();
    for (const entry of frame.readings) {
      if (entry && typeof entry === 'object' && typeof entry.sensor === 'string' && VALID_ID.test(entry.sensor)) {
        stats.readings += Number.isSafeInteger(entry.count) && entry.count > 0 ? entry.count : 1;
        applyReading(entry.sensor, entry.value, entry.timestamp, arrivedAt, true);
      }
    }
  }

  // The page's MQTT login is a short-lived read-only token from the dashboard (api/mqtt-token), never a password:
  // fetched before every connection. Before it expires (RabbitMQ 4 closes the connection then; 3.10 only refuses a
  // new login) a fresh connection replaces the live one, make before break: the new one is subscribed before the old
  // one closes and only the current one feeds the page, so the live view neither misses nor doubles a reading.
  async function connect() {
    state.reconnectTimer = null;
    let login;
    try {
      login = await getJson(state.config.mqtt.tokenUrl);
    } catch (error) {
      setConnection('reconnecting', 'cannot get an MQTT login (' + error.message + '), retrying…');
      scheduleReconnect();
      return;
    }
    openClient(login, (client, clientId) => {
      state.reconnectDelay = RECONNECT_MIN_MS;
      stats.connects++;
      goLive(client, clientId, login);
      if (stats.connects > 1) {
        loadSensors(); // catch up on readings missed while disconnected
      }
    }, (response) => {
      setConnection('reconnecting', 'cannot connect (' + (response.errorMessage || 'error') + '), retrying…');
      scheduleReconnect();
    });
  }

  /** Connects with {@code login} and subscribes; {@code onLive} once every subscription is granted. */
  function openClient(login, onLive, onFailure) {
    const mqtt = state.config.mqtt;
    const clientId = 'dashboard-page-' + Math.random().toString(36).slice(2, 12);
    const client = new Paho.Client(mqtt.url, clientId);
    let subscribed = false;
    client.onMessageArrived = (message) => {
      if (client === state.client) {
        onMessage(message);
      }
    };
    client.onConnectionLost = (response) => {
      if (!subscribed) {
        onFailure(response);
        return;
      }
      if (client !== state.client) {
        return;
      }
      clearTimeout(state.renewTimer);
      stats.connectedUri = null;
      setConnection('reconnecting', 'reconnecting… (' + (response.errorMessage || 'connection lost') + ')');
      scheduleReconnect();
    };
    client.connect({
      userName: login.username,
      password: login.password,
      cleanSession: true,
      keepAliveInterval: 15,
      timeout: 5,
      onSuccess: () => {
        let pending = mqtt.topics.length;
        for (const topic of mqtt.topics) {
          client.subscribe(topic, {
            qos: 0,
            onSuccess: () => {
              pending--;
              if (pending === 0) {
                subscribed = true;
                onLive(client, clientId);
              }
            },
            onFailure: () => {
              onFailure({ errorMessage: 'subscription to ' + topic + ' refused' });
              try {
                client.disconnect();
              } catch (ignored) {
                // already closed
              }
            },
          });
        }
      },
      onFailure: (response) => onFailure(response),
    });
  }

  /** Makes {@code client} the page's connection, closes the one it replaces, and plans its own replacement. */
  function goLive(client, clientId, login) {
    const previous = state.client;
    state.client = client;
    stats.clientId = clientId;
    stats.connectedUri = state.config.mqtt.url;
    setConnection('connected', 'live');
    if (previous && previous !== client) {
      try {
        previous.disconnect();
      } catch (ignored) {
        // already closed
      }
    }
    clearTimeout(state.renewTimer);
    // At 70 % of the token's lifetime, counted on this clock (the server's may differ).
    state.renewTimer = setTimeout(renew, Math.max(RENEW_RETRY_MS, login.lifetimeSeconds * 700));
  }

  async function renew() {
    const live = state.client;
    const retry = () => {
      if (state.client === live) {
        state.renewTimer = setTimeout(renew, RENEW_RETRY_MS);
      }
    };
    let login;
    try {
      login = await getJson(state.config.mqtt.tokenUrl);
    } catch (error) {
      retry();
      return;
    }
    if (state.client !== live) {
      return; // lost meanwhile: the reconnect fetches its own login
    }
    openClient(login, (client, clientId) => {
      if (state.client !== live) {
        client.disconnect();
        return;
      }
      stats.renewals++;
      goLive(client, clientId, login);
    }, retry);
  }

  function scheduleReconnect() {
    if (state.reconnectTimer !== null) {
      return;
    }
    const delay = state.reconnectDelay;
    state.reconnectDelay = Math.min(RECONNECT_MAX_MS, state.reconnectDelay * 2);
    state.reconnectTimer = setTimeout(connect, delay);
  }

  // ---- cluster panel -------------------------------------------------------------------------------------

  async function refreshCluster() {
    try {
      const body = await getJson('api/cluster');
      const nodes = el('nodes');
      nodes.replaceChildren(...body.nodes.map((node) => {
        const li = document.createElement('li');
        li.dataset.node = node.name;
        li.dataset.running = String(node.running);
        li.textContent = node.name + (node.running ? ' ✓ running' : ' ✗ down');
        return li;
      }));
      el('queue-rows').replaceChildren(...body.queues.map((queue) => {
        const tr = document.createElement('tr');
        tr.dataset.queue = queue.name;
        for (const text of [queue.name, String(queue.messages), String(queue.consumers)]) {
          const td = document.createElement('td');
          td.textContent = text;
          tr.appendChild(td);
        }
        return tr;
      }));
      renderPipeline(body.pipeline || []);
      el('cluster-error').hidden = true;
      el('cluster-updated').textContent = 'Updated ' + formatTime(body.fetchedAt);
    } catch (error) {
      el('cluster-error').textContent = 'Cluster state unavailable: ' + error.message;
      el('cluster-error').hidden = false;
    }
  }

  /** The pipeline's own conditions (db-writer without consumer, growing backlog, dead letters) as a banner. */
  function renderPipeline(alerts) {
    el('pipeline-alerts').replaceChildren(...alerts.map((alert) => {
      const li = document.createElement('li');
      li.dataset.condition = alert.condition;
      li.textContent = alert.description;
      return li;
    }));
    el('pipeline-banner').hidden = alerts.length === 0;
  }

  // ---- start ---------------------------------------------------------------------------------------------

  async function start() {
    const sensors = getJson('api/sensors'); // in parallel with the configuration: rows show at once
    sensors.catch(() => {});
    try {
      state.config = await getJson('api/config');
    } catch (error) {
      setConnection('disconnected', 'no configuration: ' + error.message);
      return;
    }
    state.threshold = state.config.threshold;
    state.offlineAfterMs = state.config.offlineAfterSeconds * 1000;
    state.retireAfterMs = state.config.retireAfterSeconds * 1000;
    el('summary-retired').title = 'sensors the inventory does not list, silent for more than '
      + formatSpan(state.retireAfterMs) + ': not shown';
    state.skewWarnMs = state.config.clockSkewWarnSeconds * 1000;
    const rules = state.config.reading;
    state.rules = { minValue: rules.minValue, maxValue: rules.maxValue, minTimestamp: rules.minTimestamp,
      maxFutureMs: rules.maxFutureSeconds * 1000 };
    el('threshold').textContent = state.threshold + ' °C';
    buildRangePicker(state.config.ranges || [state.range]);
    setConnection('connecting', 'connecting…');
    connect();
    await loadSensors(sensors);
    refreshCluster();
    setInterval(refreshCluster, CLUSTER_REFRESH_MS);
    setInterval(checkStale, STALE_CHECK_MS);
    setInterval(refreshHistory, CHART_REFRESH_MS);
    setInterval(loadSensors, SENSORS_REFRESH_MS);
    window.addEventListener('resize', () => {
      if (state.chart) {
        state.chart.setSize({ width: chartWidth(), height: 240 });
      }
    });
  }

  start();
}());

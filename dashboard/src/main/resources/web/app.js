// Thermowatch dashboard page. Plain JS, no framework.
// Every sensor-supplied string reaches the DOM through textContent or dataset, never innerHTML.
(function () {
  'use strict';

  const HOUR_MS = 3600 * 1000;
  const CLUSTER_REFRESH_MS = 3000;
  const STALE_CHECK_MS = 1000;
  const RECONNECT_MIN_MS = 500;
  const RECONNECT_MAX_MS = 5000;
  const RENEW_RETRY_MS = 5000; // a failed token renewal is tried again this soon, while the live connection lasts
  const READING_TOPIC = /^temperature\/(.+)$/;
  const STATUS_TOPIC = /^sensors\/(.+)\/status$/;
  const VALID_ID = /^[A-Za-z0-9_-]{1,64}$/;

  const el = (id) => document.getElementById(id);

  const state = {
    config: null,
    threshold: Infinity,
    offlineAfterMs: 120000,
    skewWarnMs: 30000,
    // The codec's validity rules, from /api/config; until then nothing is trusted.
    rules: { minValue: -273.15, maxValue: 1000, minTimestamp: 946684800000, maxFutureMs: 300000 },
    sensors: new Map(),   // id -> sensor record
    sortedIds: [],        // row order
    dirty: new Set(),     // ids whose row must be redrawn on the next animation frame
    frameRequested: false,
    selected: null,
    chart: null,
    chartPoints: [],      // [[timeSeconds, value], ...] of the selected sensor
    chartDirty: false,
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
  };

  // ---- sensors -------------------------------------------------------------------------------------------

  function sensorRecord(id) {
    let sensor = state.sensors.get(id);
    if (!sensor) {
      sensor = { id: id, value: null, timestamp: null, seenAt: null, skewMs: null, status: 'unknown', row: null };
      state.sensors.set(id, sensor);
    }
    return sensor;
  }

  function markDirty(sensor) {
    state.dirty.add(sensor.id);
    if (!state.frameRequested) {
      state.frameRequested = true;
      requestAnimationFrame(flush);
    }
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
    if (id === state.selected) {
      state.chartPoints.push([timestamp / 1000, value]);
      state.chartDirty = true;
    }
  }

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

  function createRow(sensor) {
    const row = document.createElement('tr');
    row.dataset.sensor = sensor.id;
    row.tabIndex = 0;
    for (let i = 0; i < 4; i++) {
      row.appendChild(document.createElement('td'));
    }
    const badge = document.createElement('span');
    badge.className = 'badge';
    row.cells[2].appendChild(badge);
    row.cells[0].textContent = sensor.id;
    row.cells[0].title = sensor.id;
    row.addEventListener('click', () => select(sensor.id));
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select(sensor.id);
      }
    });
    sensor.row = row;
    // Keep rows ordered by sensor id: binary search the insertion point.
    const ids = state.sortedIds;
    let low = 0;
    let high = ids.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (ids[mid] < sensor.id) { low = mid + 1; } else { high = mid; }
    }
    const before = low < ids.length ? state.sensors.get(ids[low]).row : null;
    ids.splice(low, 0, sensor.id);
    el('sensor-rows').insertBefore(row, before);
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
    const hot = sensor.value !== null && sensor.value > state.threshold;
    row.cells[1].textContent = sensor.value === null ? '–' : sensor.value.toFixed(1) + ' °C';
    const badge = row.cells[2].firstChild;
    badge.textContent = sensor.status;
    badge.className = 'badge ' + sensor.status;
    row.cells[3].textContent = sensor.timestamp === null ? '–' : formatTime(sensor.timestamp);
    row.dataset.skew = sensor.skewMs === null ? '' : (sensor.skewMs > 0 ? 'ahead' : 'behind');
    if (sensor.skewMs !== null) {
      const note = document.createElement('span');
      note.className = 'skew';
      note.textContent = 'clock ' + row.dataset.skew + ' ' + formatSpan(Math.abs(sensor.skewMs));
      note.title = 'stamped ' + formatSpan(Math.abs(sensor.skewMs)) + ' ' + (sensor.skewMs > 0 ? 'after' : 'before')
        + ' it arrived';
      row.cells[3].appendChild(note);
    }
    row.dataset.status = sensor.status;
    row.dataset.hot = String(hot);
    row.classList.toggle('hot', hot);
    row.classList.toggle('stale', sensor.status === 'stale');
    row.classList.toggle('offline', sensor.status === 'offline');
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
  }

  function checkStale() {
    const now = Date.now();
    for (const sensor of state.sensors.values()) {
      if (sensor.status === 'online' && sensor.seenAt !== null && now - sensor.seenAt > state.offlineAfterMs) {
        sensor.status = 'stale';
        markDirty(sensor);
      }
    }
  }

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  function formatSpan(millis) {
    if (millis < 90000) {
      return Math.round(millis / 1000) + ' s';
    }
    if (millis < 90 * 60000) {
      return Math.round(millis / 60000) + ' min';
    }
    return Math.round(millis / 3600000) + ' h';
  }

  function formatTime(millis) {
    const d = new Date(millis);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' '
      + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
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
      for (const view of body.sensors) {
        // seenAt in this browser's clock: how old the reading was on the server, subtracted from now.
        applyReading(view.sensor, view.value, view.timestamp,
          now - Math.max(0, body.generatedAt - view.timestamp), false);
        const sensor = state.sensors.get(view.sensor);
        if (sensor.timestamp === view.timestamp && view.status !== 'online') {
          sensor.status = view.status;
        }
      }
      el('load-error').hidden = true;
    } catch (error) {
      el('load-error').textContent = 'Could not load sensors: ' + error.message + ' (live updates still arrive)';
      el('load-error').hidden = false;
    }
  }

  // ---- chart ---------------------------------------------------------------------------------------------

  function select(id) {
    if (state.selected !== null && state.sensors.has(state.selected)) {
      state.sensors.get(state.selected).row.setAttribute('aria-selected', 'false');
    }
    state.selected = id;
    state.sensors.get(id).row.setAttribute('aria-selected', 'true');
    el('chart-sensor').textContent = id;
    state.chartPoints = [];
    state.chartDirty = true;
    renderChart();
    loadHistory(id);
  }

  async function loadHistory(id) {
    const to = Date.now();
    try {
      const body = await getJson('api/sensors/' + encodeURIComponent(id) + '/readings?from=' + (to - HOUR_MS)
        + '&to=' + (to + 60000) + '&step=30s');
      if (state.selected !== id) {
        return;
      }
      const history = body.points.map((p) => [p.timestamp / 1000, p.avg]);
      const firstLive = state.chartPoints.length ? state.chartPoints[0][0] : Infinity;
      state.chartPoints = history.filter((p) => p[0] < firstLive).concat(state.chartPoints);
      state.chartDirty = true;
      markDirty(state.sensors.get(id));
    } catch (error) {
      el('chart-note').textContent = 'History unavailable: ' + error.message;
    }
  }

  function chartWidth() {
    return Math.max(300, el('chart').clientWidth || 400);
  }

  function renderChart() {
    state.chartDirty = false;
    if (typeof uPlot === 'undefined') {
      return;
    }
    const cutoff = (Date.now() - HOUR_MS) / 1000;
    const points = state.chartPoints.filter((p) => p[0] >= cutoff).sort((a, b) => a[0] - b[0]);
    state.chartPoints = points;
    stats.chartSensor = state.selected;
    stats.chartPoints = points.length;
    stats.chartLastValue = points.length ? points[points.length - 1][1] : null;
    const xs = points.map((p) => p[0]);
    const data = [xs, points.map((p) => p[1]), xs.map(() => state.threshold)];
    if (!state.chart) {
      state.chart = new uPlot({
        width: chartWidth(),
        height: 240,
        scales: {
          // Always the last hour, whatever the data covers.
          x: { time: true, range: () => [Date.now() / 1000 - HOUR_MS / 1000, Date.now() / 1000 + 30] },
          // The threshold always in view, with a margin around the readings.
          y: { range: (u, min, max) => [Math.min(min, state.threshold) - 1, Math.max(max, state.threshold) + 1] },
        },
        legend: { show: true },
        series: [
          {},
          { label: '°C', stroke: '#2563eb', width: 2, points: { show: points.length < 120 } },
          { label: 'threshold', stroke: '#dc2626', width: 1, dash: [6, 4], points: { show: false } },
        ],
        axes: [{}, { label: '°C' }],
      }, data, el('chart'));
      window.addEventListener('resize', () => state.chart.setSize({ width: chartWidth(), height: 240 }));
    } else {
      state.chart.setData(data);
    }
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
    let match = READING_TOPIC.exec(topic);
    if (match) {
      let reading;
      try {
        reading = JSON.parse(message.payloadString);
      } catch (e) {
        return; // not JSON: the consumers reject it too
      }
      if (reading && typeof reading === 'object') {
        applyReading(match[1], reading.value, reading.timestamp, Date.now(), !message.retained);
      }
      return;
    }
    match = STATUS_TOPIC.exec(topic);
    if (match) {
      const status = message.payloadString.trim();
      if (status === 'online' || status === 'offline') {
        applyStatus(match[1], status);
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
    state.skewWarnMs = state.config.clockSkewWarnSeconds * 1000;
    const rules = state.config.reading;
    state.rules = { minValue: rules.minValue, maxValue: rules.maxValue, minTimestamp: rules.minTimestamp,
      maxFutureMs: rules.maxFutureSeconds * 1000 };
    el('threshold').textContent = state.threshold + ' °C';
    setConnection('connecting', 'connecting…');
    connect();
    await loadSensors(sensors);
    refreshCluster();
    setInterval(refreshCluster, CLUSTER_REFRESH_MS);
    setInterval(checkStale, STALE_CHECK_MS);
  }

  start();
}());

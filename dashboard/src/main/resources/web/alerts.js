// Thermowatch dashboard: the active alerts panel and the operator's actions (acknowledge, silence).
// Its own file and closure, apart from app.js. Every server-supplied string reaches the DOM through textContent.
// The operator token lives in this closure's memory only: never in storage, a cookie or the URL; a reload signs out.
(function () {
  'use strict';

  const { cell } = window.thermowatchFormat;

  const REFRESH_MS = 5000;
  const SILENCE_MINUTES = 60;
  const el = (id) => document.getElementById(id);

  const operator = { token: null, name: '' }; // in memory only

  function authHeaders() {
    return { 'Authorization': 'Bearer ' + operator.token, 'Content-Type': 'application/json' };
  }

  async function call(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: operator.token ? authHeaders() : {},
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit', // nothing the browser would attach by itself
    });
    let json = null;
    try {
      json = await response.json();
    } catch (ignored) {
      json = null;
    }
    if (!response.ok) {
      const error = new Error(json && json.error ? json.error : 'HTTP ' + response.status);
      error.status = response.status;
      throw error;
    }
    return json;
  }

  function formatSince(millis) {
    if (millis == null) {
      return '–';
    }
    const minutes = Math.max(0, Math.round((Date.now() - millis) / 60000));
    const at = new Date(millis).toLocaleTimeString();
    if (minutes < 60) {
      return at + ' (' + minutes + ' min)';
    }
    return at + ' (' + Math.floor(minutes / 60) + ' h ' + (minutes % 60) + ' min)';
  }

  function actionButton(label, onClick) {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.addEventListener('click', onClick);
    return button;
  }

  function renderAlerts(alerts) {
    const rows = alerts.map((alert) => {
      const tr = document.createElement('tr');
      tr.dataset.sensor = alert.sensor;
      tr.dataset.rule = alert.rule;
      tr.dataset.level = alert.level;
      const level = document.createElement('td');
      const badge = document.createElement('span');
      badge.className = 'badge level-' + String(alert.level).toLowerCase();
      badge.textContent = alert.level;
      level.appendChild(badge);
      tr.appendChild(level);
      tr.appendChild(cell(alert.sensor, 'mono'));
      tr.appendChild(cell(alert.rule));
      tr.appendChild(cell(alert.value == null ? '–' : alert.value.toFixed(1) + ' °C'));
      tr.appendChild(cell(formatSince(alert.since)));
      const notes = [];
      if (alert.acknowledgedBy) {
        notes.push('acknowledged by ' + alert.acknowledgedBy);
      }
      if (alert.silenceId != null) {
        notes.push('silenced');
      } else if (alert.maintenance) {
        notes.push('muted by ' + alert.maintenance);
      }
      tr.appendChild(cell(notes.length ? notes.join(', ') : '–', 'alert-state'));
      const actions = document.createElement('td');
      if (operator.token) {
        if (!alert.acknowledgedBy) {
          actions.appendChild(actionButton('Acknowledge', () => acknowledge(alert)));
        }
        if (alert.silenceId == null) {
          actions.appendChild(actionButton('Silence ' + SILENCE_MINUTES + ' min', () => silence(alert)));
        }
      }
      tr.appendChild(actions);
      return tr;
    });
    el('alert-rows').replaceChildren(...rows);
    el('alerts-empty').hidden = alerts.length !== 0;
  }

  let lastAlerts = [];

  async function refreshAlerts() {
    try {
      const body = await call('GET', 'api/alerts/active');
      lastAlerts = body.alerts;
      el('alerts-error').hidden = true;
      renderAlerts(lastAlerts);
      document.dispatchEvent(new CustomEvent('thermowatch:alerts', { detail: lastAlerts })); // ranks the sensor rows
    } catch (error) {
      el('alerts-error').textContent = 'Alerts unavailable: ' + error.message;
      el('alerts-error').hidden = false;
    }
  }

  function say(text, isError) {
    const message = el('operator-message');
    message.textContent = text;
    message.classList.toggle('error', Boolean(isError));
  }

  async function act(what, action) {
    try {
      await action();
      say(what, false);
      await refreshAlerts();
    } catch (error) {
      if (error.status === 401) {
        signOut();
      }
      say(error.message, true);
    }
  }

  function acknowledge(alert) {
    return act('Acknowledged ' + alert.rule + ' on ' + alert.sensor + '.', () =>
      call('POST', 'api/operator/acknowledgements', { sensor: alert.sensor, rule: alert.rule, by: operator.name }));
  }

  function silence(alert) {
    return act('Silenced ' + alert.sensor + ' for ' + SILENCE_MINUTES + ' min.', () =>
      call('POST', 'api/operator/silences', { sensors: alert.sensor, minutes: SILENCE_MINUTES, by: operator.name }));
  }

  async function signIn() {
    const token = el('operator-token').value;
    const name = el('operator-name').value.trim();
    el('operator-token').value = ''; // the field keeps nothing
    if (!/^[A-Za-z0-9 _.@-]{1,64}$/.test(name)) {
      say('Your name: 1 to 64 letters, digits, spaces or _ . @ -', true);
      return;
    }
    operator.token = token;
    operator.name = name;
    try {
      await call('GET', 'api/operator/silences'); // proves the token before showing any button
    } catch (error) {
      operator.token = null;
      say(error.status === 401 ? 'Wrong operator token.' : error.message, true);
      return;
    }
    el('operator-signin').hidden = true;
    el('operator-signed-in').hidden = false;
    el('operator-who').textContent = name;
    say('', false);
    renderAlerts(lastAlerts);
  }

  function signOut() {
    operator.token = null;
    el('operator-signin').hidden = false;
    el('operator-signed-in').hidden = true;
    renderAlerts(lastAlerts);
  }

  function start() {
    el('operator-signin-button').addEventListener('click', signIn);
    el('operator-token').addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        signIn();
      }
    });
    el('operator-signout-button').addEventListener('click', signOut);
    refreshAlerts();
    setInterval(refreshAlerts, REFRESH_MS);
  }

  start();
}());

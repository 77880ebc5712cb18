// Thermowatch dashboard: the selected sensor's alert history (api/alerts/history), under its chart.
// Its own file and closure, apart from app.js, which tells which sensor is selected (a thermowatch:select event).
// Every server-supplied string reaches the DOM through textContent.
(function () {
  'use strict';

  const LIMIT = 20;            // the newest events; the whole history is in alert_events (psql)
  const REFRESH_MS = 15000;
  const el = (id) => document.getElementById(id);

  let sensor = null;
  let asked = 0;               // answers to an older question (another sensor selected meanwhile) are dropped

  const { formatTime, cell } = window.thermowatchFormat;

  // "WARNING → CRITICAL"; one level when there is no transition (a reminder), – when the event has none.
  function levels(event) {
    if (event.from && event.to && event.from !== event.to) {
      return event.from + ' → ' + event.to;
    }
    return event.to || event.from || '–';
  }

  // Mailed at, silenced by, acknowledged by: what became of the event's notification.
  function outcome(event) {
    const parts = [];
    if (event.mailedAt != null) {
      parts.push('mailed ' + formatTime(event.mailedAt).slice(11));
    }
    if (event.silencedBy) {
      parts.push('silenced by ' + event.silencedBy);
    } else if (event.silenceId != null) {
      parts.push('silenced');
    }
    if (event.acknowledgedBy) {
      parts.push('acknowledged by ' + event.acknowledgedBy);
    }
    if (event.mailError) {
      parts.push('not mailed: ' + event.mailError);
    }
    return parts.length ? parts.join(', ') : '–';
  }

  function render(events) {
    el('alert-history-rows').replaceChildren(...events.map((event) => {
      const tr = document.createElement('tr');
      tr.dataset.kind = event.kind;
      tr.dataset.level = event.to || '';
      tr.appendChild(cell(formatTime(event.time)));
      tr.appendChild(cell(event.rule || '–'));
      tr.appendChild(cell(event.kind));
      tr.appendChild(cell(levels(event), 'levels'));
      tr.appendChild(cell(event.value == null ? '–' : event.value.toFixed(1) + ' °C'));
      tr.appendChild(cell(outcome(event)));
      return tr;
    }));
    el('alert-history-empty').hidden = events.length !== 0;
  }

  async function refresh() {
    if (sensor === null) {
      return;
    }
    const question = ++asked;
    const forSensor = sensor;
    try {
      const response = await fetch('api/alerts/history?sensor=' + encodeURIComponent(forSensor) + '&limit=' + LIMIT,
        { headers: { Accept: 'application/json' }, cache: 'no-store', credentials: 'omit' });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        throw new Error(body.error || ('HTTP ' + response.status));
      }
      if (question !== asked) {
        return;
      }
      render(body.events);
      el('alert-history-error').hidden = true;
    } catch (error) {
      if (question !== asked) {
        return;
      }
      el('alert-history-error').textContent = 'Alert history of ' + forSensor + ' unavailable: ' + error.message;
      el('alert-history-error').hidden = false;
    }
  }

  function select(id) {
    sensor = id;
    el('alert-history-sensor').textContent = id;
    el('alert-history-rows').replaceChildren();
    el('alert-history-empty').hidden = true;
    refresh();
  }

  document.addEventListener('thermowatch:select', (event) => select(event.detail.sensor));
  setInterval(refresh, REFRESH_MS);
}());

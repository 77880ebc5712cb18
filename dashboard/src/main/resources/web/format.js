// Thermowatch dashboard: what every part of the page formats the same way (times, table cells). Loaded first.
// A cell's text always goes through textContent: server-supplied strings never become markup.
(function () {
  'use strict';

  function pad(n) { return n < 10 ? '0' + n : String(n); }

  /** "2026-12-02 04:37:39" in the browser's time zone; – for none. */
  function formatTime(millis) {
    if (millis == null) {
      return '–';
    }
    const d = new Date(millis);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + ' '
      + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    return td;
  }

  window.thermowatchFormat = Object.freeze({ formatTime, cell });
}());

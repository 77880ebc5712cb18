// Thermowatch dashboard: the sensor table's order, grouped by site and room with the worst first.
// Pure functions over app.js's sensor records (no DOM): app.js draws the rows and group headings they describe.
//
// How bad a sensor is (its rank, highest first):
//   3 critical  a CRITICAL alert is firing on it (api/alerts/active), or its latest value is over the threshold
//   2 warning   a WARNING alert is firing on it, or it is offline (it said goodbye)
//   1 stale     no reading for the offline timeout
//   0 quiet     everything else
// A group (one site and room) is as bad as its worst sensor. Groups: worst first, then by site and room; the sensors
// with neither a site nor a room label go last, in one "unlabelled" group. Within a group: worst first, then by id.
(function () {
  'use strict';

  const CRITICAL = 3;
  const WARNING = 2;
  const STALE = 1;
  const QUIET = 0;
  const RANK_NAMES = ['quiet', 'stale', 'warning', 'critical'];
  const UNLABELLED = '\u0000unlabelled'; // no site or room can be this (label values are one printable line)

  function rank(sensor, threshold) {
    if (sensor.alertLevel === 'CRITICAL' || (sensor.value !== null && sensor.value > threshold)) {
      return CRITICAL;
    }
    if (sensor.alertLevel === 'WARNING' || sensor.status === 'offline') {
      return WARNING;
    }
    return sensor.status === 'stale' ? STALE : QUIET;
  }

  function groupKey(labels) {
    const site = labels.site || '';
    const room = labels.room || '';
    return site === '' && room === '' ? UNLABELLED : site + '\u0000' + room;
  }

  // What a group heading says: "dc-1 / hall-a", "dc-1" or "hall-a".
  function groupTitle(labels) {
    return [labels.site, labels.room].filter((part) => part).join(' / ') || 'unlabelled';
  }

  // What a row says under "Rack / description".
  function placeText(labels) {
    return [labels.rack, labels.description].filter((part) => part).join(' · ');
  }

  function byText(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  // sensors: records with id, labels, rank (from rank()). Returns [{key, title, rank, counts, sensors}] in page order.
  function arrange(sensors) {
    const groups = new Map();
    for (const sensor of sensors) {
      const key = groupKey(sensor.labels);
      let group = groups.get(key);
      if (!group) {
        group = { key, title: key === UNLABELLED ? 'unlabelled' : groupTitle(sensor.labels),
          site: sensor.labels.site || '', room: sensor.labels.room || '', rank: QUIET, counts: [0, 0, 0, 0],
          sensors: [] };
        groups.set(key, group);
      }
      group.sensors.push(sensor);
      group.rank = Math.max(group.rank, sensor.rank);
      group.counts[sensor.rank]++;
    }
    const ordered = Array.from(groups.values());
    ordered.sort((a, b) => (a.key === UNLABELLED) - (b.key === UNLABELLED) || b.rank - a.rank
      || byText(a.site, b.site) || byText(a.room, b.room));
    for (const group of ordered) {
      group.sensors.sort((a, b) => b.rank - a.rank || byText(a.id, b.id));
    }
    return ordered;
  }

  // "3 sensors · 1 critical · 1 stale"
  function groupSummary(group) {
    const parts = [group.sensors.length + (group.sensors.length === 1 ? ' sensor' : ' sensors')];
    for (let r = CRITICAL; r > QUIET; r--) {
      if (group.counts[r] > 0) {
        parts.push(group.counts[r] + ' ' + RANK_NAMES[r]);
      }
    }
    return parts.join(' · ');
  }

  window.thermowatchGroups = { rank, groupKey, placeText, arrange, groupSummary, RANK_NAMES };
}());

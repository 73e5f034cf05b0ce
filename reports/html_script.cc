// The HTML report's script: the connection table, rendered a page at a time
// from the JSON data island, sorted and filtered over the whole array (so
// 100k connections stay responsive). Text always goes in via textContent.

#include "reports/html_parts.h"

namespace tcpstate {
namespace html_internal {

absl::string_view ReportScript() {
  return R"js((function () {
  'use strict';
  var PAGE_SIZE = 200;
  var data = JSON.parse(document.getElementById('conn-data').textContent);
  var col = {};
  data.columns.forEach(function (name, i) { col[name] = i; });
  var rows = data.rows;
  // String columns hold indexes into data.strings; anomalies are (kind,
  // endpoint) index pairs: decoded here into kinds and their endpoints.
  col.anomaly_endpoints = data.columns.length;
  (function decode() {
    var strings = data.strings;
    var named = ['client_addr', 'server_addr', 'client_state', 'server_state',
                 'conn_state'].map(function (name) { return col[name]; });
    rows.forEach(function (r) {
      named.forEach(function (c) { r[c] = strings[r[c]]; });
      var pairs = r[col.anomalies];
      var kinds = [];
      var endpoints = [];
      for (var i = 0; i + 1 < pairs.length; i += 2) {
        kinds.push(strings[pairs[i]]);
        endpoints.push(strings[pairs[i + 1]]);
      }
      r[col.anomalies] = kinds;
      r[col.anomaly_endpoints] = endpoints;
    });
  })();
  var HEADS = [
    ['id', '#', true], ['client', 'client', false],
    ['server', 'server', false], ['client_state', 'client state', false],
    ['server_state', 'server state', false], ['conn_state', 'Zeek', false],
    ['start', 'start (s)', true], ['duration', 'duration (s)', true],
    ['packets', 'packets', true], ['bytes', 'bytes', true],
    ['anomalies', 'anomalies', false]
  ];
  // The data island is in id order, the initial sort.
  var view = {sort: 'id', desc: false, page: 0, sorted: rows, rows: rows};

  function endpoint(addr, port) {
    return (addr.indexOf(':') >= 0 ? '[' + addr + ']' : addr) + ':' + port;
  }

  function key(r, name) {
    switch (name) {
      case 'client': return endpoint(r[col.client_addr], r[col.client_port]);
      case 'server': return endpoint(r[col.server_addr], r[col.server_port]);
      case 'anomalies': return r[col.anomalies].length;
      case 'start': return r[col.start_us];
      case 'duration': return r[col.duration_us];
      default: return r[col[name]];
    }
  }

  // Rows in the current sort order: keys computed once per sort, ties by id.
  function resort() {
    var keys = rows.map(function (r) { return key(r, view.sort); });
    var order = rows.map(function (r, i) { return i; });
    var sign = view.desc ? -1 : 1;
    order.sort(function (a, b) {
      var x = keys[a];
      var y = keys[b];
      var c = x < y ? -1 : (x > y ? 1 : 0);
      return c !== 0 ? sign * c : rows[a][col.id] - rows[b][col.id];
    });
    view.sorted = order.map(function (i) { return rows[i]; });
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    if (cls) {
      e.className = cls;
    }
    return e;
  }

  function addOption(select, value, label) {
    var o = el('option', label);
    o.value = value;
    select.appendChild(o);
  }

  function fillFilters() {
    var states = {};
    var kinds = {};
    rows.forEach(function (r) {
      states[r[col.client_state]] = true;
      states[r[col.server_state]] = true;
      r[col.anomalies].forEach(function (k) { kinds[k] = true; });
    });
    var stateSelect = document.getElementById('f-state');
    Object.keys(states).sort().forEach(function (s) {
      addOption(stateSelect, '*:' + s, 'either ' + s);
      addOption(stateSelect, 'c:' + s, 'client ' + s);
      addOption(stateSelect, 's:' + s, 'server ' + s);
    });
    var kindSelect = document.getElementById('f-anomaly');
    Object.keys(kinds).sort().forEach(function (k) {
      addOption(kindSelect, k, k);
    });
  }

  function matcher() {
    var state = document.getElementById('f-state').value;
    var kind = document.getElementById('f-anomaly').value;
    var addr = document.getElementById('f-addr').value.trim().toLowerCase();
    var portText = document.getElementById('f-port').value.trim();
    var port = portText === '' ? null : Number(portText);
    var side = state.slice(0, 1);
    var stateName = state.slice(2);
    return function (r) {
      if (state !== '' &&
          !((side !== 's' && r[col.client_state] === stateName) ||
            (side !== 'c' && r[col.server_state] === stateName))) {
        return false;
      }
      var kinds = r[col.anomalies];
      if ((kind === '*' && kinds.length === 0) ||
          (kind === '-' && kinds.length !== 0) ||
          (kind !== '' && kind !== '*' && kind !== '-' &&
           kinds.indexOf(kind) < 0)) {
        return false;
      }
      if (addr !== '' &&
          r[col.client_addr].toLowerCase().indexOf(addr) < 0 &&
          r[col.server_addr].toLowerCase().indexOf(addr) < 0) {
        return false;
      }
      return port === null ||
          r[col.client_port] === port || r[col.server_port] === port;
    };
  }

  function stateCell(name) {
    var td = el('td');
    td.appendChild(el('span', name, 'pill st-' + name));
    return td;
  }

  function rowElement(r) {
    var tr = el('tr');
    var id = r[col.id];
    tr.setAttribute('data-conn', String(id));
    var idCell = el('td', null, 'num');
    if (r[col.diagram] === 1) {
      var a = el('a', id);
      a.href = '#conn-' + id;
      idCell.appendChild(a);
    } else {
      idCell.textContent = String(id);
    }
    tr.appendChild(idCell);
    tr.appendChild(el('td', endpoint(r[col.client_addr], r[col.client_port])));
    tr.appendChild(el('td', endpoint(r[col.server_addr], r[col.server_port])));
    tr.appendChild(stateCell(r[col.client_state]));
    tr.appendChild(stateCell(r[col.server_state]));
    tr.appendChild(el('td', r[col.conn_state]));
    tr.appendChild(el('td', (r[col.start_us] / 1e6).toFixed(6), 'num'));
    tr.appendChild(el('td', (r[col.duration_us] / 1e6).toFixed(6), 'num'));
    tr.appendChild(el('td', r[col.packets], 'num'));
    tr.appendChild(el('td', r[col.bytes], 'num'));
    var kinds = el('td');
    r[col.anomalies].forEach(function (k, i) {
      var who = r[col.anomaly_endpoints][i];
      kinds.appendChild(el('span', who ? k + ' (' + who + ')' : k, 'anom-kind'));
    });
    if (r[col.anomalies].length !== 0) {
      tr.className = 'flagged';
    }
    tr.appendChild(kinds);
    return tr;
  }

  function renderPage() {
    var pages = Math.max(1, Math.ceil(view.rows.length / PAGE_SIZE));
    view.page = Math.min(Math.max(view.page, 0), pages - 1);
    var first = view.page * PAGE_SIZE;
    var last = Math.min(first + PAGE_SIZE, view.rows.length);
    var body = document.createElement('tbody');
    for (var i = first; i < last; i++) {
      body.appendChild(rowElement(view.rows[i]));
    }
    var table = document.getElementById('conn-table');
    table.replaceChild(body, table.tBodies[0]);
    document.getElementById('page-info').textContent =
        (view.rows.length === 0 ? 'no rows' :
         'rows ' + (first + 1) + '\u2013' + last + ' of ' + view.rows.length) +
        ' (page ' + (view.page + 1) + ' of ' + pages + ')';
    document.getElementById('match-count').textContent =
        view.rows.length + ' of ' + rows.length + ' connections';
    document.getElementById('page-prev').disabled = view.page === 0;
    document.getElementById('page-next').disabled = view.page >= pages - 1;
  }

  function refresh() {
    view.rows = view.sorted.filter(matcher());
    view.page = 0;
    renderPage();
  }

  function renderHead() {
    var tr = document.getElementById('conn-table').tHead.rows[0];
    HEADS.forEach(function (h) {
      var th = el('th', h[1], h[0] === view.sort ? (view.desc ? 'desc' : 'asc') : '');
      th.setAttribute('data-sort', h[0]);
      th.addEventListener('click', function () {
        view.desc = view.sort === h[0] ? !view.desc : false;
        view.sort = h[0];
        Array.prototype.forEach.call(tr.cells, function (c) {
          c.className = c === th ? (view.desc ? 'desc' : 'asc') : '';
        });
        resort();
        refresh();
      });
      tr.appendChild(th);
    });
  }

  // The initial view from the page's query string, e.g.
  // report.html?sort=duration&desc=1&state=c:CLOSE_WAIT&anomaly=*&port=80
  function applyQuery() {
    var params = new URLSearchParams(window.location.search);
    var fields = {state: 'f-state', anomaly: 'f-anomaly', addr: 'f-addr',
                  port: 'f-port'};
    Object.keys(fields).forEach(function (name) {
      if (params.has(name)) {
        document.getElementById(fields[name]).value = params.get(name);
      }
    });
    var sort = params.get('sort');
    if (HEADS.some(function (h) { return h[0] === sort; })) {
      view.sort = sort;
    }
    view.desc = params.get('desc') === '1';
    Array.prototype.forEach.call(
        document.getElementById('conn-table').tHead.rows[0].cells,
        function (c) {
          c.className = c.getAttribute('data-sort') === view.sort ?
              (view.desc ? 'desc' : 'asc') : '';
        });
  }

  function wire() {
    ['f-state', 'f-anomaly'].forEach(function (id) {
      document.getElementById(id).addEventListener('change', refresh);
    });
    ['f-addr', 'f-port'].forEach(function (id) {
      document.getElementById(id).addEventListener('input', refresh);
    });
    document.getElementById('page-prev').addEventListener('click', function () {
      view.page -= 1;
      renderPage();
    });
    document.getElementById('page-next').addEventListener('click', function () {
      view.page += 1;
      renderPage();
    });
    Array.prototype.forEach.call(document.querySelectorAll('.tl-bar'),
                                 function (bar) {
      bar.addEventListener('click', function () {
        var target = document.getElementById('conn-' + bar.getAttribute('data-conn'));
        if (target) {
          target.scrollIntoView();
        }
      });
    });
  }

  renderHead();
  fillFilters();
  applyQuery();
  wire();
  if (view.sort !== 'id' || view.desc) {
    resort();
  }
  refresh();
  document.body.setAttribute('data-ready', '1');
})();
)js";
}

}  // namespace html_internal
}  // namespace tcpstate

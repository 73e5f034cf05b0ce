// The static style sheet and scripts the HTML report inlines (no network
// access: the page must work from a file on a machine without one).

#include "reports/html_parts.h"

namespace tcpstate {
namespace html_internal {

absl::string_view ReportCss() {
  return R"css(body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#263238;color:#fff;padding:10px 20px}
header h1{font-size:18px;margin:0 0 6px;overflow-wrap:anywhere}
header nav a{color:#b3e5fc;margin-right:14px}
main{padding:0 20px 40px}
section{margin-top:18px;background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 16px 16px}
h2{font-size:17px;margin:8px 0}
h3{font-size:14px;margin:12px 0 6px}
#js-errors{background:#ffebee;color:#b71c1c;margin:0;padding:8px 20px;white-space:pre-wrap}
#js-errors:empty{display:none}
.error{background:#ffebee;color:#b71c1c;padding:6px 10px;border-radius:4px;overflow-wrap:anywhere}
.note{color:#555;font-style:italic}
.facts{display:flex;flex-wrap:wrap;gap:8px 24px;margin:0}
.facts div{min-width:120px}
.facts dt{color:#666;font-size:12px}
.facts dd{margin:0;font-weight:600}
.cols{display:flex;flex-wrap:wrap;gap:8px 32px;align-items:flex-start}
table.plain,table.conns{border-collapse:collapse;font-size:13px}
table.plain td,table.plain th,table.conns td,table.conns th{border-bottom:1px solid #e0e0e0;padding:3px 8px;text-align:left;vertical-align:top}
table.plain td{overflow-wrap:anywhere;max-width:60ch}
table.conns{width:100%}
table.conns th{cursor:pointer;user-select:none;background:#eceff1;position:sticky;top:0}
table.conns th.asc:after{content:" \25B2"}
table.conns th.desc:after{content:" \25BC"}
table.conns tr.flagged td:first-child{border-left:3px solid #c62828}
table.conns td.num{text-align:right;font-variant-numeric:tabular-nums}
.filters{margin:6px 0 10px}
.filters label{margin-right:12px}
.pager{margin-top:8px}
.pill{display:inline-block;padding:0 6px;border-radius:8px;font:12px monospace}
.sev{padding:0 6px;border-radius:8px;font-size:12px}
.anom-kind{display:inline-block;margin-right:4px;color:#b71c1c}
.figure{max-width:100%}
svg.timeline{width:100%;height:auto}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:8px 24px}
.charts svg.chart{width:100%;height:auto}
.isn-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:8px 24px}
.isn-grid svg{width:100%;max-width:760px;height:auto}
.isn-plot .pt{fill:#c62828;fill-opacity:.75}
svg.ladder{display:block;max-width:100%;height:auto}
.legend .pill{margin-right:4px}
svg text{font-family:sans-serif}
.st-UNKNOWN{fill:#cfd8dc;background:#cfd8dc}
.st-CLOSED{fill:#9e9e9e;background:#9e9e9e}
.st-LISTEN{fill:#b3e5fc;background:#b3e5fc}
.st-SYN_SENT{fill:#4fc3f7;background:#4fc3f7}
.st-SYN_RECEIVED{fill:#4dd0e1;background:#4dd0e1}
.st-ESTABLISHED{fill:#81c784;background:#81c784}
.st-FIN_WAIT_1{fill:#ffd54f;background:#ffd54f}
.st-FIN_WAIT_2{fill:#ffb74d;background:#ffb74d}
.st-CLOSE_WAIT{fill:#e57373;background:#e57373}
.st-CLOSING{fill:#ce93d8;background:#ce93d8}
.st-LAST_ACK{fill:#ba68c8;background:#ba68c8}
.st-TIME_WAIT{fill:#b0bec5;background:#b0bec5}
.sev-info{fill:#90caf9;background:#bbdefb}
.sev-warning{fill:#ffb74d;background:#ffe0b2}
.sev-error{fill:#e53935;background:#ffcdd2}
.conn{border-top:1px solid #ddd;padding-top:6px}
.conn h3{font-size:15px;overflow-wrap:anywhere}
.notes{margin:4px 0;color:#37474f}
.ladder .life{stroke:#546e7a;stroke-width:2}
.ladder .who{font-weight:bold;font-size:13px;text-anchor:middle}
.ladder .ep{font:11px monospace;text-anchor:middle}
.seg line{stroke:#1565c0;stroke-width:1.4}
.seg polygon{fill:#1565c0}
.seg.anom line{stroke:#c62828;stroke-width:2}
.seg.anom polygon{fill:#c62828}
.seg.lost line{stroke-dasharray:6 3}
.seg .x{stroke:#c62828;stroke-width:2.5;fill:none}
.seg.dup line{stroke:#9e9e9e;stroke-dasharray:2 2}
.seg.dup polygon{fill:#9e9e9e}
.seg .lbl{font:11px monospace;fill:#111}
.seg.anom .lbl{fill:#b71c1c;font-weight:bold}
.seg .kinds{font-size:10px;fill:#c62828}
.seg .t{font:10px monospace;fill:#757575}
.fold rect{fill:#f1f1f1;stroke:#9e9e9e;stroke-dasharray:4 2}
.fold text{font-size:11px;text-anchor:middle;fill:#555}
.state rect{stroke:#37474f;stroke-width:.5}
.state text{font:10px monospace;fill:#000}
.timeline .tl-span{fill:#f5f5f5;stroke:#bdbdbd;stroke-width:.5}
.timeline .tl-id{font:9px monospace;text-anchor:end;fill:#555}
.timeline .tl-bar{cursor:pointer}
.timeline .flagged .tl-id{fill:#c62828;font-weight:bold}
.timeline .tick-x,.chart .xl{font-size:10px;text-anchor:middle;fill:#444}
.chart .xl.start{text-anchor:start}
.chart .xl.end{text-anchor:end}
.grid{stroke:#e0e0e0}
.axis{stroke:#424242}
.chart .h{fill:#5c6bc0}
.chart .h2{fill:#26a69a}
.chart .tick{font-size:10px;text-anchor:end;fill:#444}
.chart .title{font-weight:bold;font-size:13px}
.chart .legend{font-size:11px}
.chart .empty{font-size:13px;text-anchor:middle;fill:#9e9e9e}
@media print{
body{background:#fff;font-size:11px}
header{background:none;color:#000;padding:0}
header nav,.filters,.pager,#js-errors{display:none}
section{border:none;padding:0;margin-top:8px}
.conn{break-inside:avoid;break-before:page}
svg.ladder{width:auto;height:auto;max-width:100%;max-height:96vh}
svg.timeline,svg.chart{break-inside:avoid}
}
)css";
}

absl::string_view ErrorTrapScript() {
  return R"js(window.onerror = function (message, source, line, column) {
  var pre = document.getElementById('js-errors');
  if (pre) {
    pre.textContent += String(message) + ' (line ' + line + ':' + column + ')\n';
  }
  return false;
};
window.addEventListener('unhandledrejection', function (event) {
  var pre = document.getElementById('js-errors');
  if (pre) {
    pre.textContent += 'unhandled rejection: ' + String(event.reason) + '\n';
  }
});
)js";
}

}  // namespace html_internal
}  // namespace tcpstate

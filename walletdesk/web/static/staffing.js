/* walletdesk staffing page: draws agents needed against agents rostered per half-hour with
 * ECharts (vendored) from the plan JSON the server put in #staffing-data (the page's CSP runs
 * no inline script). The short half-hours are marked in red. */
(function () {
  "use strict";
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  var source = document.getElementById("staffing-data");
  if (!source || typeof echarts === "undefined") return;
  var plan = JSON.parse(source.textContent);
  var narrow = window.matchMedia("(max-width: 600px)").matches;
  var zone = plan.timezone || "UTC";
  var label, clock;
  try {
    var lang = document.documentElement.lang || "en";
    var format = new Intl.DateTimeFormat(lang,
      {timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false});
    var timeOnly = new Intl.DateTimeFormat(lang,
      {timeZone: zone, hour: "2-digit", minute: "2-digit", hour12: false});
    label = function (iso) { return format.format(new Date(iso)); };
    clock = function (iso) { return timeOnly.format(new Date(iso)); };
  } catch (e) {
    label = function (iso) { return iso.slice(5, 16).replace("T", " "); };
    clock = function (iso) { return iso.slice(11, 16); };
  }
  // the gaps in the page's time zone
  Array.prototype.forEach.call(document.querySelectorAll("time[data-local]"), function (t) {
    var iso = t.getAttribute("datetime");
    t.textContent = t.dataset.local === "time" ? clock(iso) + " (" + zone + ")" : label(iso);
  });
  var node = document.querySelector('[data-chart="staffing"]');
  if (!node) return;
  var x = plan.intervals.map(function (i) { return label(i.starts); });
  var short = plan.intervals.map(function (i) { return i.gap < 0 ? -i.gap : 0; });
  var chart = echarts.init(node, null, {renderer: "canvas"});
  chart.setOption({
    animation: false,
    legend: {top: 0, data: [gettext("Needed"), gettext("Rostered"), gettext("Short"), gettext("Contacts")]},
    grid: {left: 8, right: 8, top: 40, bottom: 56, containLabel: true},
    tooltip: {trigger: "axis", renderMode: "richText", confine: true},
    dataZoom: [{type: "slider", bottom: 4, height: 18, start: 0, end: narrow ? 15 : 50}],
    xAxis: {type: "category", data: x, axisLabel: {hideOverlap: true}},
    yAxis: [{type: "value", minInterval: 1, name: gettext("Agents")},
            {type: "value", splitLine: {show: false}, name: gettext("Contacts")}],
    series: [
      {name: gettext("Needed"), type: "line", step: "end", symbol: "none",
       data: plan.intervals.map(function (i) { return i.needed; })},
      {name: gettext("Rostered"), type: "line", step: "end", symbol: "none",
       data: plan.intervals.map(function (i) { return i.rostered; })},
      {name: gettext("Short"), type: "bar", itemStyle: {color: "#cf222e"}, data: short},
      {name: gettext("Contacts"), type: "line", yAxisIndex: 1, symbol: "none",
       lineStyle: {type: "dotted"}, data: plan.intervals.map(function (i) { return i.contacts; })}
    ]
  });
  node.dataset.drawn = "true";
  window.addEventListener("resize", function () { chart.resize(); });
})();

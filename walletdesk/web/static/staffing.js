/* walletdesk staffing page: draws agents needed against agents rostered per half-hour with
 * ECharts (vendored) from the plan JSON the server put in #staffing-data (the page's CSP runs
 * no inline script). The short half-hours are marked in red. The legend is a list of buttons
 * above the chart, not drawn in it: it wraps at any width and in any language (drawn in the
 * canvas, its second line ran over the axis names at 375 px). */
(function () {
  "use strict";
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  var source = document.getElementById("staffing-data");
  if (!source || typeof echarts === "undefined") return;
  var plan = JSON.parse(source.textContent);
  var narrow = window.matchMedia("(max-width: 600px)").matches;
  var zone = plan.timezone || "UTC";
  var label;
  try {
    var lang = document.documentElement.lang || "en";
    var format = new Intl.DateTimeFormat(lang,
      {timeZone: zone, weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false});
    label = function (iso) { return format.format(new Date(iso)); };
  } catch (e) {
    label = function (iso) { return iso.slice(5, 16).replace("T", " "); };
  }
  // (the gaps' table is written by the server, in the plan's time zone, days with dates)
  var node = document.querySelector('[data-chart="staffing"]');
  if (!node) return;
  var x = plan.intervals.map(function (i) { return label(i.starts); });
  // without a roster nobody's hours are known: no half-hour is short, the need is all there is
  var short = plan.intervals.map(function (i) {
    return plan.roster_entered && i.gap < 0 ? -i.gap : 0;
  });
  // each series once: its name, colour and how its swatch looks in the legend
  var SERIES = [
    {name: gettext("Needed"), color: "#0969da", swatch: "line",
     series: {type: "line", step: "end", symbol: "none",
              data: plan.intervals.map(function (i) { return i.needed; })}},
    {name: gettext("Rostered"), color: "#1a7f37", swatch: "line",
     series: {type: "line", step: "end", symbol: "none",
              data: plan.intervals.map(function (i) { return i.rostered; })}},
    {name: gettext("Short"), color: "#cf222e", swatch: "bar",
     series: {type: "bar", data: short}},
    {name: gettext("Contacts"), color: "#9a6700", swatch: "dotted",
     series: {type: "line", yAxisIndex: 1, symbol: "none", lineStyle: {type: "dotted"},
              data: plan.intervals.map(function (i) { return i.contacts; })}}
  ];
  var chart = echarts.init(node, null, {renderer: "canvas"});
  chart.setOption({
    animation: false,
    color: SERIES.map(function (s) { return s.color; }),
    // hidden: the buttons below show it; it is still what legendToggleSelect switches
    legend: {show: false, data: SERIES.map(function (s) { return s.name; })},
    grid: {left: 8, right: 8, top: 28, bottom: 56, containLabel: true},
    tooltip: {trigger: "axis", renderMode: "richText", confine: true},
    dataZoom: [{type: "slider", bottom: 4, height: 18, start: 0, end: narrow ? 15 : 50}],
    // the first and last labels inside the chart (centred, the first lost its first letters)
    xAxis: {type: "category", data: x,
            axisLabel: {hideOverlap: true, alignMinLabel: "left", alignMaxLabel: "right"}},
    // the axes' names start (left) and end (right) at their axis: centred, the right one
    // was cut by the chart's edge
    yAxis: [{type: "value", minInterval: 1, name: gettext("Agents"),
             nameTextStyle: {align: "left"}},
            {type: "value", splitLine: {show: false}, name: gettext("Contacts"),
             nameTextStyle: {align: "right"}}],
    series: SERIES.map(function (s) {
      var series = {name: s.name, itemStyle: {color: s.color}};
      Object.keys(s.series).forEach(function (key) { series[key] = s.series[key]; });
      return series;
    })
  });
  var legend = document.createElement("ul");
  legend.className = "chart-legend";
  legend.setAttribute("aria-label", gettext("Legend: show or hide a series"));
  SERIES.forEach(function (s) {
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.setAttribute("aria-pressed", "true");
    var swatch = document.createElement("span");
    swatch.className = "swatch swatch-" + s.swatch;
    swatch.setAttribute("aria-hidden", "true");
    swatch.style.color = s.color;  // CSSOM, allowed by the CSP (a style attribute is not)
    button.appendChild(swatch);
    button.appendChild(document.createTextNode(s.name));
    button.addEventListener("click", function () {
      chart.dispatchAction({type: "legendToggleSelect", name: s.name});
      button.setAttribute("aria-pressed",
                          button.getAttribute("aria-pressed") === "true" ? "false" : "true");
    });
    item.appendChild(button);
    legend.appendChild(item);
  });
  node.parentNode.insertBefore(legend, node);
  node.dataset.drawn = "true";
  window.addEventListener("resize", function () { chart.resize(); });
})();

/* walletdesk reports: draws the page's charts with ECharts (vendored, /static/vendor) from the
 * report JSON the server put in <script type="application/json" id="report-data"> (the page's
 * CSP runs no inline script). Tooltips are rich text, not HTML: names are customers' and
 * agents' words. Texts come translated through gettext() (docs/decisions/0017). */
(function () {
  "use strict";
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  var source = document.getElementById("report-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var charts = [];
  var WEEKDAYS = [gettext("Mon"), gettext("Tue"), gettext("Wed"), gettext("Thu"),
                  gettext("Fri"), gettext("Sat"), gettext("Sun")];
  var narrow = window.matchMedia("(max-width: 600px)").matches;

  function draw(name, option) {
    var node = document.querySelector('[data-chart="' + name + '"]');
    if (!node) return;
    var chart = echarts.init(node, null, {renderer: "canvas"});
    option.tooltip = Object.assign({renderMode: "richText", confine: true}, option.tooltip || {});
    option.animation = false;
    chart.setOption(option);
    node.dataset.drawn = "true";
    charts.push(chart);
  }
  function grid() { return {left: 40, right: 12, top: 36, bottom: 28, containLabel: true}; }

  var days = data.volume.by_day.map(function (d) { return d.day.slice(5); });
  draw("by-day", {
    legend: {top: 0, data: [gettext("Conversations"), gettext("Messages")]},
    grid: grid(), tooltip: {trigger: "axis"},
    xAxis: {type: "category", data: days},
    yAxis: [{type: "value", minInterval: 1}, {type: "value", minInterval: 1, splitLine: {show: false}}],
    series: [
      {name: gettext("Conversations"), type: "bar",
       data: data.volume.by_day.map(function (d) { return d.conversations; })},
      {name: gettext("Messages"), type: "line", yAxisIndex: 1,
       data: data.volume.by_day.map(function (d) { return d.messages; })}
    ]
  });

  var cells = data.volume.by_hour.map(function (c) { return [c.hour, c.weekday, c.conversations]; });
  var most = Math.max.apply(null, cells.map(function (c) { return c[2]; }).concat([1]));
  var hours = [];
  for (var h = 0; h < 24; h++) hours.push(String(h));
  draw("heatmap", {
    grid: {left: 8, right: 8, top: 8, bottom: 56, containLabel: true},
    tooltip: {formatter: function (p) {
      return WEEKDAYS[p.value[1]] + " " + p.value[0] + ":00 — " + p.value[2]; }},
    xAxis: {type: "category", data: hours, splitArea: {show: true},
            axisLabel: {interval: narrow ? 3 : 0}},
    yAxis: {type: "category", data: WEEKDAYS, inverse: true, splitArea: {show: true}},
    visualMap: {min: 0, max: most, calculable: false, orient: "horizontal", left: "center",
                bottom: 0, itemHeight: narrow ? 100 : 160,
                inRange: {color: ["#f6f8fa", "#0969da"]}},
    series: [{name: gettext("Conversations"), type: "heatmap", data: cells,
              label: {show: !narrow, formatter: function (p) { return p.value[2] || ""; }}}]
  });

  draw("ratings", {
    title: {text: gettext("Ratings"), left: 0, textStyle: {fontSize: 13}},
    grid: grid(), tooltip: {trigger: "axis"},
    xAxis: {type: "category", data: ["1", "2", "3", "4", "5"]},
    yAxis: {type: "value", minInterval: 1},
    series: [{name: gettext("Ratings"), type: "bar",
              data: data.satisfaction.distribution.map(function (r) {
                return {value: r.count, itemStyle: {color: r.rating >= 4 ? "#1a7f37" : r.rating === 3 ? "#9a6700" : "#cf222e"}};
              })}]
  });

  draw("csat-trend", {
    title: {text: gettext("Average rating by day"), left: 0, textStyle: {fontSize: 13}},
    grid: grid(), tooltip: {trigger: "axis"},
    xAxis: {type: "category", data: data.satisfaction.by_day.map(function (d) { return d.day.slice(5); })},
    yAxis: {type: "value", min: 1, max: 5},
    series: [{name: gettext("Average rating"), type: "line", connectNulls: true,
              data: data.satisfaction.by_day.map(function (d) { return d.average; })}]
  });

  var reasons = data.reasons.reasons.slice(0, 10).reverse();
  draw("reasons", {
    grid: {left: 8, right: 24, top: 8, bottom: 8, containLabel: true}, tooltip: {trigger: "axis"},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", axisLabel: {width: narrow ? 90 : 200, overflow: "truncate"},
            data: reasons.map(function (r) { return r.reason || gettext("(none)"); })},
    series: [{name: gettext("Conversations"), type: "bar",
              data: reasons.map(function (r) { return r.count; })}]
  });

  var more = JSON.parse((document.getElementById("report-more") || {}).textContent || "{}");
  var trend = more.reason_trend;
  if (trend && trend.series.length) {
    draw("reason-trend", {
      legend: {top: 0, type: "scroll",
               data: trend.series.map(function (s) { return reasonName(s.reason); })},
      grid: {left: 8, right: 12, top: 36, bottom: 8, containLabel: true},
      tooltip: {trigger: "axis"},
      xAxis: {type: "category", data: trend.buckets.map(function (b) { return b.slice(5); })},
      yAxis: {type: "value", minInterval: 1},
      series: trend.series.map(function (s) {
        return {name: reasonName(s.reason), type: "line", stack: "reasons", areaStyle: {},
                symbol: "none", data: s.counts};
      })
    });
  }
  function reasonName(reason) {
    if (reason === "") return gettext("(none)");
    if (reason === "other") return gettext("other");
    return reason;
  }

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
})();

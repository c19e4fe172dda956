/* walletdesk reports (/reports): the page renders its filters at once and leaves a place for
 * each panel; this script fetches every panel (/reports/panels/<name>, one report each, an
 * HTML fragment rendered and escaped by the server) several at a time, puts it in its place
 * and draws its charts with ECharts (vendored, /static/vendor) from the JSON the fragment
 * carries in <script type="application/json" class="panel-data"> (the page's CSP runs no
 * inline script; a JSON script is never run). Tooltips are rich text, not HTML: names are
 * customers' and agents' words. Texts come translated through gettext() (decision 0017). */
(function () {
  "use strict";
  var TEXTS = JSON.parse((document.getElementById("wd-texts") || {}).textContent || "{}");
  function gettext(s) { return TEXTS[s] || s; }
  var charts = [];
  var WEEKDAYS = [gettext("Mon"), gettext("Tue"), gettext("Wed"), gettext("Thu"),
                  gettext("Fri"), gettext("Sat"), gettext("Sun")];
  var narrow = window.matchMedia("(max-width: 600px)").matches;

  function draw(panel, name, option) {
    var node = panel.querySelector('[data-chart="' + name + '"]');
    if (!node || typeof echarts === "undefined") return;
    var chart = echarts.init(node, null, {renderer: "canvas"});
    option.tooltip = Object.assign({renderMode: "richText", confine: true}, option.tooltip || {});
    option.animation = false;
    chart.setOption(option);
    node.dataset.drawn = "true";
    charts.push(chart);
  }
  function grid() { return {left: 40, right: 12, top: 36, bottom: 28, containLabel: true}; }
  // a contact reason in the reader's words: a knowledge-base category by its name, a label as
  // it is named ({category: name} in the chart's data-names, localization.contact_reason_names)
  function chartNames(panel, name) {
    var node = panel.querySelector('[data-chart="' + name + '"]');
    try { return JSON.parse((node && node.dataset.names) || "{}"); } catch (e) { return {}; }
  }
  function reasonName(reason, names) {
    if (reason === "") return gettext("(none)");
    if (reason === "other") return gettext("other");
    return Object.prototype.hasOwnProperty.call(names, reason) ? names[reason] : reason;
  }

  var DRAW = {
    volume: function (panel, data) {
      draw(panel, "by-day", {
        legend: {top: 0, data: [gettext("Conversations"), gettext("Messages")]},
        grid: grid(), tooltip: {trigger: "axis"},
        xAxis: {type: "category", data: data.by_day.map(function (d) { return d.day.slice(5); })},
        yAxis: [{type: "value", minInterval: 1},
                {type: "value", minInterval: 1, splitLine: {show: false}}],
        series: [
          {name: gettext("Conversations"), type: "bar",
           data: data.by_day.map(function (d) { return d.conversations; })},
          {name: gettext("Messages"), type: "line", yAxisIndex: 1,
           data: data.by_day.map(function (d) { return d.messages; })}
        ]
      });
      var cells = data.by_hour.map(function (c) { return [c.hour, c.weekday, c.conversations]; });
      var most = Math.max.apply(null, cells.map(function (c) { return c[2]; }).concat([1]));
      var hours = [];
      for (var h = 0; h < 24; h++) hours.push(String(h));
      draw(panel, "heatmap", {
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
    },
    satisfaction: function (panel, data) {
      draw(panel, "ratings", {
        title: {text: gettext("Ratings"), left: 0, textStyle: {fontSize: 13}},
        grid: grid(), tooltip: {trigger: "axis"},
        xAxis: {type: "category", data: ["1", "2", "3", "4", "5"]},
        yAxis: {type: "value", minInterval: 1},
        series: [{name: gettext("Ratings"), type: "bar",
                  data: data.distribution.map(function (r) {
                    return {value: r.count, itemStyle: {color: r.rating >= 4 ? "#1a7f37" : r.rating === 3 ? "#9a6700" : "#cf222e"}};
                  })}]
      });
      draw(panel, "csat-trend", {
        title: {text: gettext("Average rating by day"), left: 0, textStyle: {fontSize: 13}},
        grid: grid(), tooltip: {trigger: "axis"},
        xAxis: {type: "category", data: data.by_day.map(function (d) { return d.day.slice(5); })},
        yAxis: {type: "value", min: 1, max: 5},
        series: [{name: gettext("Average rating"), type: "line", connectNulls: true,
                  data: data.by_day.map(function (d) { return d.average; })}]
      });
    },
    reasons: function (panel, data) {
      var reasons = data.reasons.slice(0, 10).reverse(), names = chartNames(panel, "reasons");
      draw(panel, "reasons", {
        grid: {left: 8, right: 24, top: 8, bottom: 8, containLabel: true},
        tooltip: {trigger: "axis"},
        xAxis: {type: "value", minInterval: 1},
        yAxis: {type: "category", axisLabel: {width: narrow ? 90 : 200, overflow: "truncate"},
                data: reasons.map(function (r) { return reasonName(r.reason || "", names); })},
        series: [{name: gettext("Conversations"), type: "bar",
                  data: reasons.map(function (r) { return r.count; })}]
      });
    },
    "reason-trend": function (panel, trend) {
      if (!trend.series.length) return;
      var names = chartNames(panel, "reason-trend");
      draw(panel, "reason-trend", {
        legend: {top: 0, type: "scroll",
                 data: trend.series.map(function (s) { return reasonName(s.reason, names); })},
        grid: {left: 8, right: 12, top: 36, bottom: 8, containLabel: true},
        tooltip: {trigger: "axis"},
        xAxis: {type: "category", data: trend.buckets.map(function (b) { return b.slice(5); })},
        yAxis: {type: "value", minInterval: 1},
        series: trend.series.map(function (s) {
          return {name: reasonName(s.reason, names), type: "line", stack: "reasons", areaStyle: {},
                  symbol: "none", data: s.counts};
        })
      });
    }
  };

  function failed(panel) {
    panel.dataset.state = "failed";
    panel.setAttribute("aria-busy", "false");
    panel.textContent = "";
    var note = document.createElement("p");
    note.className = "panel-error";
    note.setAttribute("role", "alert");
    note.textContent = gettext("This part of the report could not be loaded.") + " ";
    var again = document.createElement("button");
    again.type = "button";
    again.textContent = gettext("Try again");
    again.addEventListener("click", function () { start([panel]); });
    note.appendChild(again);
    panel.appendChild(note);
  }

  function show(panel, html) {
    panel.innerHTML = html;  // the server's fragment: every value escaped by its template
    panel.dataset.state = "loaded";
    panel.setAttribute("aria-busy", "false");
    var source = panel.querySelector("script.panel-data");
    var drawing = DRAW[panel.dataset.panel];
    if (source && drawing) drawing(panel, JSON.parse(source.textContent));
  }

  function load(panel) {
    panel.dataset.state = "loading";
    panel.setAttribute("aria-busy", "true");
    return fetch(panel.dataset.src, {credentials: "same-origin",
                                     headers: {"Accept": "text/html"}})
      .then(function (response) {
        if (response.redirected && response.url.indexOf("/login") !== -1) {
          window.location.assign(response.url);  // the session ended: sign in again
          return;
        }
        if (!response.ok) throw new Error(String(response.status));
        return response.text().then(function (html) { show(panel, html); });
      })
      .catch(function () { failed(panel); });
  }

  // several at a time, in the page's order (the browser keeps six to a server anyway):
  // the top of the page first
  var AT_ONCE = 6;
  function start(panels) {
    var queue = panels.slice();
    function next() {
      var panel = queue.shift();
      if (panel) return load(panel).then(next);
    }
    var lanes = Math.min(AT_ONCE, queue.length);
    for (var i = 0; i < lanes; i++) next();
  }
  start(Array.prototype.slice.call(document.querySelectorAll(".panel[data-src]")));

  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 150);
  });
})();

/* The dashboard's and the big screen's charts (Apache ECharts, vendored): one option per kind of chart, drawn
   from the data the page passes in json_script. Every segment carries the address of its list: a click on it
   goes there. Tooltips draw on the canvas (renderMode richText): the HTML tooltip writes style attributes,
   which the site's Content-Security-Policy refuses. The charts are kept in window.dubanCharts by element id
   (the browser tests find a segment's position through them). */
(function () {
  "use strict";
  var LIGHT_COLOURS = { green: "#198754", yellow: "#f0ad00", red: "#dc3545", grey: "#9aa0a6" };
  var SERIES_COLOURS = { finished: "#198754", red: "#dc3545", planned: "#6c8ebf", completed: "#e07b39", rate: "#3b7dd8" };
  window.dubanCharts = window.dubanCharts || {};

  function colourOf(key, index) {
    return LIGHT_COLOURS[key] || SERIES_COLOURS[key] || ["#3b7dd8", "#e07b39", "#198754", "#9b59b6"][index % 4];
  }

  function option(kind, data, dark, percent) {
    var text = dark ? "#e8eef7" : "#333";
    var line = dark ? "#3a4a66" : "#ddd";
    var big = dark ? 20 : 12;
    var base = {
      backgroundColor: "transparent",
      textStyle: { color: text, fontSize: big },
      tooltip: { trigger: "item", renderMode: "richText", textStyle: { fontSize: big } },
      legend: { top: 0, textStyle: { color: text, fontSize: big } },
      animation: false
    };
    if (kind === "pie") {
      var s = data.series[0];
      base.series = [{
        type: "pie", radius: ["35%", "70%"], center: ["50%", "55%"], name: s.name,
        label: { color: text, fontSize: big, formatter: "{b} {c}" },
        data: s.data.map(function (d) { return { name: d.name, value: d.value, url: d.url, itemStyle: { color: colourOf(d.key, 0) } }; })
      }];
      return base;
    }
    base.grid = { left: 50, right: 20, top: dark ? 50 : 36, bottom: 30, containLabel: true };
    base.xAxis = { type: "category", data: data.categories, axisLabel: { color: text, fontSize: big, interval: 0, hideOverlap: true }, axisLine: { lineStyle: { color: line } } };
    base.yAxis = { type: "value", minInterval: 1, axisLabel: { color: text, fontSize: big, formatter: percent ? "{value}%" : "{value}" }, splitLine: { lineStyle: { color: line } } };
    if (percent) { base.yAxis.max = 100; base.yAxis.minInterval = null; }
    base.series = data.series.map(function (s, i) {
      var one = { type: kind === "line" ? "line" : "bar", name: s.name, data: s.data, itemStyle: { color: colourOf(s.key, i) } };
      if (kind === "stack") { one.stack = "all"; one.barMaxWidth = 48; }
      if (kind === "bar") { one.barMaxWidth = 40; }
      if (kind === "line") { one.symbolSize = dark ? 12 : 8; one.lineStyle = { width: dark ? 4 : 2 }; }
      if (percent) { one.label = { show: true, position: "top", color: text, fontSize: big, formatter: "{c}%" }; }
      return one;
    });
    return base;
  }

  function draw(el, data, dark) {
    var chart = window.dubanCharts[el.id];
    var opt = option(el.dataset.kind, data, dark, el.dataset.percent === "1");
    if (!chart) {
      chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.on("click", function (params) {
        var url = params.data && params.data.url;
        if (url) { window.location.assign(url); }
      });
      window.dubanCharts[el.id] = chart;
      window.addEventListener("resize", function () { chart.resize(); });
    }
    chart.setOption(opt, { notMerge: true });
    return chart;
  }

  function drawAll(root, charts, dark) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var data = charts[el.dataset.chart];
      if (data) { draw(el, data, dark); }
    });
  }

  window.DubanCharts = { option: option, draw: draw, drawAll: drawAll };
})();

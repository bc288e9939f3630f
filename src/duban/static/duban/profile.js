// 单位画像: the score trend as an ECharts line (data from the page's json_script; no inline script under the CSP).
(function () {
  "use strict";
  var box = document.getElementById("profile-score-chart");
  var source = document.getElementById("profile-score-data");
  if (!box || !source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  box.style.height = "280px";
  var chart = echarts.init(box);
  chart.setOption({
    animation: false,
    grid: { left: 48, right: 24, top: 24, bottom: 32 },
    // Drawn on the canvas (richText): an HTML tooltip writes style attributes, which the CSP refuses.
    tooltip: { trigger: "axis", renderMode: "richText" },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", scale: true },
    series: [{ type: "line", data: data.scores, connectNulls: true, symbolSize: 8, label: { show: true } }]
  });
  // A click anywhere in a month's column opens the score board of that month.
  chart.getZr().on("click", function (event) {
    var at = [event.offsetX, event.offsetY];
    if (!chart.containPixel("grid", at)) {
      return;
    }
    var index = chart.convertFromPixel({ seriesIndex: 0 }, at)[0];
    var code = data.codes[index];
    if (code) {
      window.location.href = "/scoring/?period=" + encodeURIComponent(code);
    }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

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
    grid: { left: 48, right: 24, top: 24, bottom: 32 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", scale: true },
    series: [{ type: "line", data: data.scores, connectNulls: true, symbolSize: 8, label: { show: true } }]
  });
  chart.on("click", function (params) {
    var code = data.codes[params.dataIndex];
    if (code) {
      window.location.href = "/scoring/?period=" + encodeURIComponent(code);
    }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();

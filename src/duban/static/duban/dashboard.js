/* 领导驾驶舱: draws the charts from #dashboard-data (reports.figures.charts); a click on a segment opens its list. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.DubanCharts) { return; }
  window.DubanCharts.drawAll(document, JSON.parse(source.textContent), false);
  document.documentElement.dataset.chartsDrawn = "1";
})();

/* 大屏: draws the charts from #screen-data, then every `refresh` seconds fetches /reports/screen/data.json and
   updates the figures and the charts in place (chart.setOption), without reloading the page. A failed fetch
   keeps the figures shown and marks the clock stale; the next round tries again. */
(function () {
  "use strict";
  var source = document.getElementById("screen-data");
  var url = document.getElementById("screen-source").dataset.url;
  if (!source || !window.DubanCharts) { return; }
  var data = JSON.parse(source.textContent);
  var root = document.querySelector("[data-testid=screen]");

  function show(next) {
    Object.keys(next.figures).forEach(function (key) {
      var tile = root.querySelector('[data-screen-figure="' + key + '"]');
      if (!tile) { return; }
      tile.querySelector(".screen-value").textContent = next.figures[key].value;
      if (tile.tagName === "A" && next.figures[key].url) { tile.setAttribute("href", next.figures[key].url); }
    });
    root.querySelector('[data-screen="at"]').textContent = next.at;
    window.DubanCharts.drawAll(root, next.charts, true);
  }

  function refresh() {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (next) { show(next); root.classList.remove("screen-stale"); document.documentElement.dataset.refreshed = String(Date.now()); })
      .catch(function () { root.classList.add("screen-stale"); });
  }

  show(data);
  document.documentElement.dataset.chartsDrawn = "1";
  window.dubanScreenRefresh = refresh;
  window.setInterval(refresh, (data.refresh || 180) * 1000);
})();

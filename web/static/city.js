/* The city's four-week trend on uPlot (vendored, web/static/vendor): restrooms inspected per
   day on the left axis; days' camera finds and weak-presence inspections on the right one
   (a handful against thousands), read from the page's own JSON so no request is needed. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("trend"), source = document.getElementById("trend-data");
  if (!box || !source || !window.uPlot) return;
  const trend = JSON.parse(source.textContent);
  const days = trend.map((p) => Date.parse(p.day + "T00:00:00Z") / 1000);
  const data = [days, trend.map((p) => p.inspected_sites), trend.map((p) => p.found),
                trend.map((p) => p.weak_presence)];
  const axis = { stroke: "#14202b", font: "12px system-ui, sans-serif",
    grid: { stroke: "#e3e8ee", width: 1 }, ticks: { stroke: "#c5ced8", width: 1 } };
  const size = () => {
    const width = Math.max(260, box.clientWidth || 320);
    return { width, height: Math.round(width * 0.62) };
  };
  const whole = (u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : ""));
  const plot = new window.uPlot({
    ...size(),
    tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
    cursor: { show: false },
    legend: { show: true, live: false },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, max)] },
              n: { range: (u, min, max) => [0, Math.max(4, max)] } },
    axes: [
      { ...axis, values: "{M}/{D}", space: 50 },
      { ...axis, scale: "y", size: 50, values: whole },
      { ...axis, scale: "n", side: 1, size: 34, grid: { show: false }, values: whole },
    ],
    series: [
      {},
      { label: box.dataset.labelSites, scale: "y", stroke: "#12355b", width: 2, fill: "rgba(18, 53, 91, 0.08)" },
      { label: box.dataset.labelFound, scale: "n", stroke: "#c62828", width: 2, points: { show: true, size: 6 } },
      { label: box.dataset.labelWeak, scale: "n", stroke: "#b26a00", width: 1.5, dash: [6, 4] },
    ],
  }, data, box);
  box.dataset.points = String(days.length);
  window.addEventListener("resize", () => plot.setSize(size()));
});

// Unscheduled-care line dashboard: draws the charts from the JSON the page embeds (no inline script: CSP).
(function () {
  "use strict";
  var source = document.getElementById("call-dashboard-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var blue = "#1f4e79", teal = "#2a7f7a";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }
  var integerAxis = { beginAtZero: true, ticks: { precision: 0 } };

  draw("chart-per-day", {
    type: "bar",
    data: { labels: data.days, datasets: [{ label: "Appels", data: data.per_day, backgroundColor: blue }] },
    options: { maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: integerAxis, x: { ticks: { maxTicksLimit: 16 } } } },
  });
  draw("chart-per-hour", {
    type: "bar",
    data: { labels: data.hours, datasets: [{ label: "Appels", data: data.per_hour, backgroundColor: teal }] },
    options: { maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: integerAxis } },
  });
  draw("chart-outcomes", {
    type: "doughnut",
    data: { labels: data.outcomes.labels, datasets: [{ data: data.outcomes.values, backgroundColor: data.outcomes.colors }] },
    options: { maintainAspectRatio: false, plugins: { legend: { position: "right" } } },
  });
  draw("chart-communes", {
    type: "bar",
    data: { labels: data.communes.labels, datasets: [{ label: "Appels", data: data.communes.values, backgroundColor: blue }] },
    options: { indexAxis: "y", maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { x: integerAxis } },
  });
})();

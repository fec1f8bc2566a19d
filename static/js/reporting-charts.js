// Escorter reporting charts: every <canvas data-chart="ID"> is drawn from the JSON spec in
// <script type="application/json" id="ID"> (rendered by Django's json_script; no inline JS).
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  Chart.defaults.color = "#344054";
  Chart.defaults.maintainAspectRatio = false;
  var numberFormat = new Intl.NumberFormat("fr-FR");

  function build(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var isLine = spec.type === "line";
    var datasets = spec.datasets.map(function (ds) {
      var out = Object.assign({}, ds);
      if (isLine) {
        out.backgroundColor = ds.borderColor;
        out.tension = 0.2;
        out.spanGaps = true;
        out.pointRadius = 3;
        if (spec.partial) {
          // the last point is the period in progress: dashed segment, hollow point
          out.segment = { borderDash: function (ctx) { return ctx.p1DataIndex === spec.labels.length - 1 ? [5, 4] : undefined; } };
          out.pointStyle = spec.labels.map(function (_, i) { return i === spec.labels.length - 1 ? "rectRot" : "circle"; });
        }
      } else if (spec.partial && typeof ds.backgroundColor === "string") {
        // the last bar is the period in progress: lighter, outlined
        out.backgroundColor = spec.labels.map(function (_, i) { return i === spec.labels.length - 1 ? ds.backgroundColor + "80" : ds.backgroundColor; });
        out.borderColor = ds.backgroundColor;
        out.borderWidth = spec.labels.map(function (_, i) { return i === spec.labels.length - 1 ? 2 : 0; });
      }
      return out;
    });
    var suffix = spec.percent ? " %" : "";
    var valueAxis = {
      beginAtZero: true,
      stacked: !!spec.stacked,
      ticks: { callback: function (v) { return numberFormat.format(v) + suffix; } }
    };
    var categoryAxis = { stacked: !!spec.stacked, grid: { display: false } };
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        animation: false,
        scales: spec.horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var v = ctx.parsed[spec.horizontal ? "x" : "y"];
                return ctx.dataset.label + " : " + (v === null ? "masqué" : numberFormat.format(v) + suffix);
              }
            }
          }
        }
      }
    });
  }

  document.querySelectorAll("canvas[data-chart]").forEach(build);
})();

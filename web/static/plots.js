/* Plots read at a glance: the spectrum on uPlot (vendored, web/static/vendor) with its axes
   and labels outside the trace, dB and MHz gridlines, the swept camera bands and the region's
   licensed services shaded, the noise floor dashed and each camera's peak marked; the
   proximity meter; glint marks over the camera view. */
"use strict";
(function () {
  const CAMERA_BAND = "rgba(245, 165, 36, 0.16)", SERVICE = "rgba(91, 107, 122, 0.18)";
  const PEAK = "#c4141c", TRACE = "#1d6fd1", FLOOR = "#1e7b3a";

  /* A spectrum event or evidence file as {freqs_hz, power_db, noise_floor_db}. */
  function spectrumPoints(s) {
    const power = s.power_db || [];
    if (s.freqs_hz) return { freqs: s.freqs_hz, power, floor: s.noise_floor_db || null };
    const start = s.start_hz || 0, stop = s.stop_hz || start + power.length;
    const step = power.length > 1 ? (stop - start) / (power.length - 1) : 0;
    return { freqs: power.map((_, i) => start + i * step), power, floor: s.noise_floor_db || null };
  }

  /* uPlot's columns in MHz, with a gap (null) where the sweep jumps from one band to the next
     so no line is drawn across frequencies that were not swept. */
  function columns(points) {
    const x = [], y = [], f = [];
    const steps = [];
    for (let i = 1; i < points.freqs.length; i++) steps.push(points.freqs[i] - points.freqs[i - 1]);
    const typical = steps.length ? steps.slice().sort((a, b) => a - b)[steps.length >> 1] : 0;
    points.freqs.forEach((hz, i) => {
      if (i && typical && hz - points.freqs[i - 1] > 4 * typical) { x.push((points.freqs[i - 1] + hz) / 2e6); y.push(null); f.push(null); }
      x.push(hz / 1e6); y.push(points.power[i]); f.push(points.floor ? points.floor[i] : null);
    });
    return [x, y, f];
  }

  class SpectrumPlot {
    constructor(box, setup) {
      this.box = box;
      this.bands = setup.bands || [];
      this.services = setup.services || [];
      this.peaks = [];
      this.peakLabel = "";
      this.lo = Math.min(...this.bands.map((b) => b[0]));
      this.hi = Math.max(...this.bands.map((b) => b[1]));
      window.addEventListener("resize", () => { if (this.plot) this.plot.setSize(this.size()); });
    }
    size() {
      const width = Math.max(260, this.box.clientWidth || 320);
      return { width, height: Math.round(width * 0.62) };
    }
    markPeaks(freqsHz, label) {
      const mhz = freqsHz.map((hz) => hz / 1e6);
      if (mhz.join() === this.peaks.join()) return;
      this.peaks = mhz;
      this.peakLabel = label;
      this.box.dataset.peaks = mhz.map((v) => v.toFixed(1)).join(",");
      if (this.plot) this.plot.redraw(false);
    }
    /* A whole sweep (the stored spectrum). */
    push(spectrum) { this.box.dataset.live = ""; this.draw(spectrumPoints(spectrum)); }
    /* A sweep under way (a live "spectrum" event): the part swept so far, on fixed axes. */
    show(spectrum) {
      this.box.dataset.live = spectrum.hops_done + "/" + spectrum.hops_total;
      this.draw(spectrumPoints(spectrum));
    }
    draw(points) {
      if (!points.power.length || !window.uPlot) return;
      this.box.dataset.points = String(points.power.length);
      const data = columns(points);
      if (this.plot) { this.plot.setData(data); return; }
      this.plot = new window.uPlot(this.options(), data, this.box);
    }
    options() {
      const axis = { stroke: "#14202b", font: "12px system-ui, sans-serif", labelFont: "12px system-ui, sans-serif",
        grid: { stroke: "#e3e8ee", width: 1 }, ticks: { stroke: "#c5ced8", width: 1 } };
      return {
        ...this.size(),
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: () => [this.lo, this.hi] },
          y: { range: (u, min, max) => [Math.floor(min / 10) * 10 - 5, Math.ceil(max / 10) * 10 + 5] },
        },
        axes: [
          { ...axis, label: "MHz", size: 34, labelSize: 14, values: (u, vals) => vals.map((v) => v.toFixed(0)) },
          { ...axis, label: "dB", size: 40, labelSize: 14, space: 24, values: (u, vals) => vals.map((v) => v.toFixed(0)) },
        ],
        series: [{}, { stroke: TRACE, width: 1.5, spanGaps: false }, { stroke: FLOOR, width: 1, dash: [6, 4], spanGaps: false }],
        hooks: { drawClear: [(u) => this.shade(u)], draw: [(u) => this.drawPeaks(u)] },
      };
    }
    shade(u) {
      const ctx = u.ctx, { top, height } = u.bbox;
      const span = (lo, hi, fill) => {
        const x0 = u.valToPos(Math.max(lo, this.lo), "x", true), x1 = u.valToPos(Math.min(hi, this.hi), "x", true);
        if (x1 > x0) { ctx.fillStyle = fill; ctx.fillRect(x0, top, x1 - x0, height); }
      };
      ctx.save();
      for (const [lo, hi] of this.bands) span(lo, hi, CAMERA_BAND);
      for (const [lo, hi] of this.services) span(lo, hi, SERVICE);
      ctx.restore();
    }
    drawPeaks(u) {
      const ctx = u.ctx, { top, height } = u.bbox, ratio = window.devicePixelRatio || 1;
      ctx.save();
      ctx.strokeStyle = PEAK; ctx.fillStyle = PEAK; ctx.lineWidth = 2 * ratio;
      ctx.font = "700 " + Math.round(12 * ratio) + "px system-ui, sans-serif";
      for (const mhz of this.peaks) {
        const x = u.valToPos(mhz, "x", true);
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
        const label = this.peakLabel + " " + mhz.toFixed(1);
        const w = ctx.measureText(label).width;
        ctx.fillText(label, Math.min(Math.max(x - w / 2, u.bbox.left), u.bbox.left + u.bbox.width - w), top + 14 * ratio);
      }
      ctx.restore();
    }
  }

  /* The proximity meter: an arc that fills as the emitter's power rises, the level in large
     figures, and below it what is measured (power and frequency). */
  function proximityMeter(svg) {
    const arc = svg.querySelector("[data-arc]"), text = svg.querySelector("[data-value]");
    const detail = svg.querySelector("[data-detail]");
    const length = arc.getTotalLength ? arc.getTotalLength() : 283;
    arc.style.strokeDasharray = length;
    arc.style.strokeDashoffset = String(length);  // empty until the first reading
    return (reading) => {
      const level = typeof reading.level === "number" ? reading.level
        : Math.min(1, Math.max(0, (reading.power_db + 100) / 70));
      arc.style.strokeDashoffset = String(length * (1 - level));
      arc.style.stroke = level > 0.75 ? "#e5484d" : level > 0.4 ? "#f5a524" : "#46a758";
      text.textContent = Math.round(level * 100) + "%";
      detail.textContent = [typeof reading.power_db === "number" ? reading.power_db.toFixed(1) + (reading.mac ? " dBm" : " dB") : "",
        typeof reading.freq_hz === "number" ? (reading.freq_hz / 1e6).toFixed(1) + " MHz" : ""].filter(Boolean).join(" · ");
    };
  }

  /* Glints as rings over the frame (positions in the frame's own pixels). */
  function glintOverlay(svg, width, height, glints) {
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.replaceChildren();
    const ns = "http://www.w3.org/2000/svg";
    for (const g of glints) {
      const ring = document.createElementNS(ns, "circle");
      ring.setAttribute("cx", g.x); ring.setAttribute("cy", g.y);
      ring.setAttribute("r", g.r || Math.max(width, height) / 10);
      ring.setAttribute("fill", "none"); ring.setAttribute("stroke", g.confirmed ? "#ff3b30" : "#ffcc00");
      ring.setAttribute("stroke-width", Math.max(width, height) / 60);
      svg.append(ring);
    }
  }

  window.ansimPlots = { SpectrumPlot, proximityMeter, glintOverlay, spectrumPoints };
})();

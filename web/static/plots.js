/* Plots drawn by hand on canvas and SVG (no chart library: the whole page must stay small):
   the spectrum (live while it is swept, with its noise floor dashed) with a waterfall of whole
   sweeps under it, the proximity meter, and glint marks over the camera view. */
"use strict";
(function () {
  /* The scale follows the data (dBFS from the dongle, or calibrated dBm): 5 dB of room. */
  function rangeOf(power) {
    let lo = Infinity, hi = -Infinity;
    for (const v of power) { if (v < lo) lo = v; if (v > hi) hi = v; }
    return [Math.floor(lo / 5) * 5 - 5, Math.ceil(hi / 5) * 5 + 5];
  }

  /* A spectrum event or evidence file as {freqs_hz, power_db}. */
  function spectrumPoints(s) {
    const power = s.power_db || [];
    if (s.freqs_hz) return { freqs: s.freqs_hz, power };
    const start = s.start_hz || 0, stop = s.stop_hz || start + power.length;
    const step = power.length > 1 ? (stop - start) / (power.length - 1) : 0;
    return { freqs: power.map((_, i) => start + i * step), power };
  }

  function heat(v) { /* 0..1 -> dark blue .. yellow */
    const r = Math.round(255 * Math.min(1, Math.max(0, 2 * v - 0.6)));
    const g = Math.round(255 * Math.min(1, Math.max(0, 1.6 * v - 0.2)));
    const b = Math.round(255 * Math.min(1, Math.max(0, 0.8 - v)));
    return [r, g, b];
  }

  class SpectrumPlot {
    constructor(canvas, rows) {
      this.canvas = canvas;
      this.rows = rows || 60;
      this.history = [];
      this.resize();
      window.addEventListener("resize", () => { this.resize(); this.draw(); });
    }
    resize() {
      const ratio = window.devicePixelRatio || 1;
      const width = this.canvas.clientWidth || 340;
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(width * 0.75 * ratio);
    }
    /* A whole sweep (the stored spectrum): the trace, and a new row of the waterfall. */
    push(spectrum) {
      const points = spectrumPoints(spectrum);
      if (!points.power.length) return;
      this.last = points;
      this.total = points.power.length;
      this.floor = spectrum.noise_floor_db || null;
      this.history.unshift(points.power);
      this.history.length = Math.min(this.history.length, this.rows);
      this.draw();
    }
    /* A sweep under way (a live "spectrum" event): the part swept so far and its noise floor,
       on the points the whole sweep will have (points_total), so it grows from the left. */
    show(spectrum) {
      const points = spectrumPoints(spectrum);
      if (!points.power.length) return;
      this.last = points;
      this.total = Math.max(spectrum.points_total || 0, points.power.length);
      this.floor = spectrum.noise_floor_db || null;
      this.canvas.dataset.live = spectrum.hops_done + "/" + spectrum.hops_total;
      this.canvas.dataset.points = String(points.power.length);
      this.draw();
    }
    draw() {
      const ctx = this.canvas.getContext("2d"), w = this.canvas.width, h = this.canvas.height;
      const top = Math.round(h * 0.55);
      ctx.fillStyle = "#0d1b2a"; ctx.fillRect(0, 0, w, h);
      if (!this.last) return;
      const [floorDb, ceilDb] = rangeOf(this.last.power);
      const y = (db) => top - (Math.min(ceilDb, Math.max(floorDb, db)) - floorDb) / (ceilDb - floorDb) * top;
      ctx.strokeStyle = "#2c4057"; ctx.lineWidth = 1;
      for (let db = floorDb; db <= ceilDb; db += 10) { ctx.beginPath(); ctx.moveTo(0, y(db)); ctx.lineTo(w, y(db)); ctx.stroke(); }
      const power = this.last.power, n = power.length, span = (this.total || n) - 1 || 1;
      const trace = (values) => {
        ctx.beginPath();
        for (let i = 0; i < values.length; i++) { const x = i / span * w; i ? ctx.lineTo(x, y(values[i])) : ctx.moveTo(x, y(values[i])); }
        ctx.stroke();
      };
      if (this.floor) {
        ctx.strokeStyle = "#46a758"; ctx.lineWidth = Math.max(1, w / 600); ctx.setLineDash([6, 4]);
        trace(this.floor);
        ctx.setLineDash([]);
      }
      ctx.strokeStyle = "#7fd1ff"; ctx.lineWidth = Math.max(1, w / 400);
      trace(power);
      const rowH = (h - top) / this.rows, image = ctx.createImageData(w, 1);
      this.history.forEach((row, r) => {
        for (let x = 0; x < w; x++) {
          const v = (row[Math.floor(x / w * row.length)] - floorDb) / (ceilDb - floorDb);
          const [cr, cg, cb] = heat(v);
          image.data.set([cr, cg, cb, 255], x * 4);
        }
        for (let k = 0; k < Math.ceil(rowH); k++) ctx.putImageData(image, 0, Math.round(top + r * rowH + k));
      });
      const f = this.last.freqs, mhz = (hz) => (hz / 1e6).toFixed(0) + " MHz";
      ctx.fillStyle = "#fff"; ctx.font = Math.round(h / 18) + "px sans-serif";
      ctx.fillText(mhz(f[0]), 4, top - 4);
      const label = mhz(f[f.length - 1]);
      ctx.fillText(label, w - ctx.measureText(label).width - 4, top - 4);
      ctx.fillText(ceilDb + " dB", 4, Math.round(h / 18) + 2);
    }
  }

  /* The proximity meter: an arc that fills as the emitter's power rises. */
  function proximityMeter(svg) {
    const arc = svg.querySelector("[data-arc]"), text = svg.querySelector("[data-value]");
    const length = arc.getTotalLength ? arc.getTotalLength() : 283;
    arc.style.strokeDasharray = length;
    return (reading) => {
      const level = typeof reading.level === "number" ? reading.level
        : Math.min(1, Math.max(0, (reading.power_db + 100) / 70));
      arc.style.strokeDashoffset = String(length * (1 - level));
      arc.style.stroke = level > 0.75 ? "#e5484d" : level > 0.4 ? "#f5a524" : "#46a758";
      text.textContent = (typeof reading.power_db === "number" ? reading.power_db.toFixed(1) + " dB" : "");
    };
  }

  /* Glints as rings over an image (positions in the image's own pixels). */
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

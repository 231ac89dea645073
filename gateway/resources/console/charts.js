// Rolling per-second charts on uPlot (the WebJar's uPlot.iife.min.js defines the global `uPlot`).

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569'];
const WINDOW = 120; // seconds shown, and points kept (one poll a second)
const HEIGHT = 170;

/** HH:MM:SS of epoch seconds (uPlot's default labels carry the date too: crowded on a two-minute axis). */
function clock(t) {
  return new Date(t * 1000).toLocaleTimeString([], { hour12: false });
}

/** One chart whose series (by name) may grow as new reasons or routes appear. */
export class RateChart {
  constructor(container) {
    this.container = container;
    this.names = [];
    this.times = [];
    this.values = new Map();
    this.plot = null;
  }

  /** t: epoch seconds; rates: {series name: per-second value}. A series missing from rates counts 0. */
  push(t, rates) {
    for (const name of Object.keys(rates)) {
      if (!this.values.has(name)) this.values.set(name, this.times.map(() => 0));
    }
    this.times.push(t);
    for (const [name, arr] of this.values) arr.push(rates[name] || 0);
    if (this.times.length > WINDOW) {
      this.times.shift();
      for (const arr of this.values.values()) arr.shift();
    }
    const names = [...this.values.keys()];
    if (names.length === 0) return;
    if (!this.plot || names.length !== this.names.length) this.rebuild(names);
    else this.plot.setData(this.data());
  }

  data() {
    return [this.times, ...this.names.map(n => this.values.get(n))];
  }

  rebuild(names) {
    this.names = names;
    if (this.plot) this.plot.destroy();
    const opts = {
      width: this.width(),
      height: HEIGHT,
      series: [{}, ...names.map((n, i) => ({
        label: n, stroke: PALETTE[i % PALETTE.length], width: 2, points: { show: false },
      }))],
      scales: {
        x: { time: true, range: (u, min, max) => [max - WINDOW, max] }, // a fixed window, even with one point
        y: { range: (u, min, max) => [0, Math.max(1, max)] },
      },
      axes: [{ space: 70, values: (u, splits) => splits.map(clock) }, { size: 44 }],
      legend: { live: false },
    };
    this.plot = new uPlot(opts, this.data(), this.container);
  }

  width() {
    return Math.max(220, this.container.clientWidth);
  }

  resize() {
    if (this.plot) this.plot.setSize({ width: this.width(), height: HEIGHT });
  }
}

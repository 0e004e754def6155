/* global document, window */
// A small SVG line chart: events per second per resource, with relists as red bars.
(function () {
  'use strict';
  const NS = 'http://www.w3.org/2000/svg';

  function el(name, attributes) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    return node;
  }

  function niceMax(value) {
    if (value <= 5) return 5;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
    return 10 * power;
  }

  /**
   * Draws `series` ({ name, color, values }) over `points` samples into `container`, and
   * `relists` (per sample) as bars along the bottom.
   */
  function drawChart(container, { series, relists, points }) {
    const width = 800;
    const height = 200;
    const left = 40;
    const bottom = 18;
    const top = 8;
    const plotW = width - left - 8;
    const plotH = height - top - bottom;
    const max = niceMax(Math.max(1, ...series.flatMap((s) => s.values)));
    const x = (i) => left + (points <= 1 ? plotW : (i / (points - 1)) * plotW);
    const y = (v) => top + plotH - (v / max) * plotH;
    const svg = el('svg', {
      viewBox: `0 0 ${width} ${height}`,
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': 'events per second',
    });
    for (let i = 0; i <= 4; i++) {
      const value = (max / 4) * i;
      svg.append(el('line', { class: 'grid', x1: left, x2: width - 8, y1: y(value), y2: y(value) }));
      const label = el('text', { x: left - 6, y: y(value) + 3, 'text-anchor': 'end' });
      label.textContent = value >= 1000 ? `${value / 1000}k` : String(Math.round(value * 10) / 10);
      svg.append(label);
    }
    const ago = el('text', { x: left, y: height - 4 });
    ago.textContent = `${points} s ago`;
    const now = el('text', { x: width - 8, y: height - 4, 'text-anchor': 'end' });
    now.textContent = 'now';
    svg.append(ago, now);
    relists.forEach((count, i) => {
      if (count > 0)
        svg.append(
          el('rect', { x: x(i) - 2, y: top, width: 4, height: plotH, fill: '#f85149', opacity: 0.5 }),
        );
    });
    for (const s of series) {
      if (s.values.length === 0) continue;
      const offset = points - s.values.length;
      const coords = s.values.map((v, i) => `${x(i + offset).toFixed(1)},${y(v).toFixed(1)}`);
      svg.append(
        el('polyline', {
          points: coords.join(' '),
          fill: 'none',
          stroke: s.color,
          'stroke-width': 2,
          'vector-effect': 'non-scaling-stroke',
          'stroke-linejoin': 'round',
        }),
      );
    }
    container.replaceChildren(svg);
  }

  window.drawChart = drawChart;
})();

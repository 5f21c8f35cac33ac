// Inline SVG charts drawn here (no library): the competency radar of a report.

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function clip(label, n = 22) {
  const str = String(label || "");
  return str.length > n ? `${str.slice(0, n - 1)}…` : str;
}

/**
 * A radar of competency levels (1-5): one axis per competency, rings at each level, the
 * machine's values filled and, when given, the levels after review dashed on top.
 * axes: [{id, name, value, reviewed}] (reviewed may be null). With fewer than three
 * competencies a radar means nothing, so the levels are drawn as bars instead.
 */
export function radarChart(axes, { title = "", labels = {} } = {}) {
  const n = axes.length;
  if (n < 3) return barChart(axes, { title, labels });
  const W = 520;
  const H = 340;
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${H}`, role: "img", class: "radar", "data-testid": "radar",
    "aria-label": title,
  });
  svg.append(s("title", {}, title));
  const cx = W / 2;
  const cy = H / 2;
  const r = H / 2 - 40;
  const angle = (i) => -Math.PI / 2 + (2 * Math.PI * i) / n;
  const point = (i, level) => {
    const d = (r * Math.max(0, level - 0)) / 5;
    return [cx + d * Math.cos(angle(i)), cy + d * Math.sin(angle(i))];
  };
  for (let level = 1; level <= 5; level += 1) {
    const pts = axes.map((_, i) => point(i, level).join(",")).join(" ");
    svg.append(s("polygon", { points: pts, class: "ring" }));
  }
  axes.forEach((a, i) => {
    const [x, y] = point(i, 5);
    svg.append(s("line", { x1: cx, y1: cy, x2: x, y2: y, class: "axis" }));
    const [lx, ly] = point(i, 5.6);
    const anchor = Math.abs(lx - cx) < 8 ? "middle" : lx > cx ? "start" : "end";
    const label = s("text", { x: lx, y: ly, "text-anchor": anchor, "dominant-baseline": "middle",
      class: "radar-label" }, clip(a.name));
    label.append(s("title", {}, `${a.name}: ${Number(a.value).toFixed(1)}`));
    svg.append(label);
  });
  const machine = axes.map((a, i) => point(i, a.value).join(",")).join(" ");
  svg.append(s("polygon", { points: machine, class: "area machine", "data-testid": "radar-machine" }));
  if (axes.some((a) => a.reviewed !== null && a.reviewed !== undefined && a.reviewed !== Math.round(a.value))) {
    const reviewed = axes
      .map((a, i) => point(i, a.reviewed ?? a.value).join(","))
      .join(" ");
    svg.append(s("polygon", { points: reviewed, class: "area reviewed", "data-testid": "radar-reviewed" }));
  }
  axes.forEach((a, i) => {
    const [x, y] = point(i, a.value);
    svg.append(s("circle", { cx: x, cy: y, r: 3.5, class: "dot" }));
  });
  for (let level = 1; level <= 5; level += 1) {
    const [, y] = point(0, level);
    svg.append(s("text", { x: cx + 4, y: y - 2, class: "ring-label" }, String(level)));
  }
  // Fit the height to what is drawn (a triangle leaves the bottom third empty).
  const ys = axes.map((_, i) => point(i, 5.6)[1]);
  const top = Math.max(0, Math.min(...ys) - 16);
  const bottom = Math.min(H, Math.max(...ys) + 16);
  svg.setAttribute("viewBox", `0 ${top} ${W} ${bottom - top}`);
  return svg;
}

function barChart(axes, { title = "", labels = {} }) {
  const size = 520;
  const row = 34;
  const height = Math.max(60, axes.length * row + 20);
  const svg = s("svg", { viewBox: `0 0 ${size} ${height}`, role: "img",
    class: "radar bars", "data-testid": "radar", "aria-label": title });
  svg.append(s("title", {}, title));
  const left = 170;
  const width = size - left - 20;
  axes.forEach((a, i) => {
    const y = 10 + i * row;
    svg.append(s("text", { x: left - 8, y: y + 12, "text-anchor": "end", class: "radar-label" }, clip(a.name, 18)));
    svg.append(s("rect", { x: left, y, width, height: 16, class: "bar-bg" }));
    svg.append(s("rect", { x: left, y, width: (width * a.value) / 5, height: 16, class: "bar" }));
    if (a.reviewed !== null && a.reviewed !== undefined) {
      const x = left + (width * a.reviewed) / 5;
      svg.append(s("line", { x1: x, y1: y - 3, x2: x, y2: y + 19, class: "bar-reviewed", "data-testid": "radar-reviewed" }));
    }
    svg.append(s("text", { x: left + 4, y: y + 12, class: "bar-value" },
      `${labels.level || "Level"} ${Number(a.value).toFixed(1)}`));
  });
  return svg;
}

// Inline SVG charts drawn here (no library): the competency radar of a report.

const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

const FONT_PX = 11; // .radar text in app.css
const LINE_PX = 13;
const WIDE = /[\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60]/;

/** About how wide `text` is drawn, in px: CJK characters are square, Latin ones about 0.6 em
 * (generous, so that a label is never cut: the picture's box is fitted to this). */
function textWidth(text) {
  let w = 0;
  for (const ch of String(text)) w += WIDE.test(ch) ? FONT_PX : FONT_PX * 0.6;
  return w;
}

/** A label broken into lines of at most `max` px: at spaces, or between any two CJK
 * characters; a single word longer than a line keeps its own line (never cut). */
function wrap(label, max) {
  const words = String(label || "").trim().split(/\s+/).flatMap((w) => (WIDE.test(w) ? [...w].map((c, i) => (i ? `\u0000${c}` : c)) : [w]));
  const lines = [];
  let line = "";
  for (const word of words) {
    const glued = word.startsWith("\u0000");
    const piece = glued ? word.slice(1) : word;
    const next = line ? (glued ? line + piece : `${line} ${piece}`) : piece;
    if (line && textWidth(next) > max) {
      lines.push(line);
      line = piece;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** A <text> of several lines (tspans), its first line `first` lines above y (negative: below). */
function multiline(lines, x, y, first, attrs) {
  const el = s("text", { x, y, ...attrs });
  lines.forEach((line, i) => {
    el.append(s("tspan", { x, dy: i === 0 ? -first * LINE_PX : LINE_PX }, line));
  });
  return el;
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
  // Labels are wrapped, never cut; the picture's box grows to hold them (see the end).
  const box = { left: 0, right: W, top: H, bottom: 0 };
  axes.forEach((a, i) => {
    const [x, y] = point(i, 5);
    svg.append(s("line", { x1: cx, y1: cy, x2: x, y2: y, class: "axis" }));
    const [lx, ly] = point(i, 5.6);
    const anchor = Math.abs(lx - cx) < 8 ? "middle" : lx > cx ? "start" : "end";
    const lines = wrap(a.name, 110);
    const n = lines.length;
    // Above the chart the last line sits at the axis end, below it the first; else centred.
    const first = Math.abs(lx - cx) < 8 ? (ly < cy ? n - 1 : 0) : (n - 1) / 2;
    const label = multiline(lines, lx, ly, first, { "text-anchor": anchor, "dominant-baseline": "middle",
      class: "radar-label" });
    label.append(s("title", {}, `${a.name}: ${Number(a.value).toFixed(1)}`));
    svg.append(label);
    const w = Math.max(...lines.map(textWidth));
    const x0 = anchor === "start" ? lx : anchor === "end" ? lx - w : lx - w / 2;
    box.left = Math.min(box.left, x0 - 4);
    box.right = Math.max(box.right, x0 + w + 4);
    box.top = Math.min(box.top, ly - first * LINE_PX - LINE_PX / 2);
    box.bottom = Math.max(box.bottom, ly + (n - 1 - first) * LINE_PX + LINE_PX / 2);
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
  // Fit the box to what is drawn: a triangle leaves the bottom third empty, and a long
  // label may reach past the sides.
  const top = Math.min(box.top, cy - r) - 4;
  const bottom = Math.max(box.bottom, cy + r * Math.max(...axes.map((_, i) => Math.sin(angle(i))))) + 4;
  svg.setAttribute("viewBox", `${box.left} ${top} ${box.right - box.left} ${bottom - top}`);
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
    const lines = wrap(a.name, left - 12);
    svg.append(multiline(lines, left - 8, y + 8, (lines.length - 1) / 2,
      { "text-anchor": "end", "dominant-baseline": "middle", class: "radar-label" }));
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

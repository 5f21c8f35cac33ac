// The candidate report: overall and band, radar, recordings with a transcript in sync and
// integrity flags on the timeline, evidence that jumps the video to its words, highlights and
// risks, the human review (reviewer, level changes with reasons, decision, audit trail),
// provenance, and JSON/PDF downloads.

import { busy, h } from "./api.js";
import { radarChart } from "./hr-charts.js";
import {
  $, authed, clock, download, error, field, fmtDate, isWriter, langLabel, messageOf, notice,
  pct, score, select, state,
} from "./hr-common.js";
import { flagNote, getLang, integrityReason, machineTextReason, t } from "./hr-i18n.js";

const present = (x) => x !== null && x !== undefined;

function bandLabel(b) {
  return t(`band.${b}`) === `band.${b}` ? String(b || "") : t(`band.${b}`);
}

// What an evidence quote shows; an indicator's key names a standard by its internal id, which
// HR never sees (the matched indicators are listed in words below the quotes).
function supportsLabel(sup) {
  const [kind, ...rest] = String(sup || "").split(":");
  const what = rest.join(":").replaceAll("_", " ");
  if (kind === "anchor") return t("report.anchor", { level: what });
  if (kind === "positive") return t("report.positive");
  if (kind === "negative") return t("report.negative");
  if (kind === "choice") return t("report.choice", { points: what });
  if (kind === "star") return t("report.star", { element: t(`star.${what}`) });
  if (kind === "kept") return t("report.kept");
  return String(sup || "");
}

// A scorer's note on an answer, written in English by the server (interview/scoring/content.py,
// choice.py): the known ones said in the chosen language, others as written (marked in Chinese).
const CAPS = [
  [/^off the topic of the question \(relevance ([\d.]+)\)$/, (m) => t("cap.off_topic", { r: m[1] })],
  [/^hypothetical: what they would do, not what they did$/, () => t("cap.hypothetical")],
  [/^no example: nothing the candidate did is told$/, () => t("cap.no_example")],
  [/^too short for a complete example \(([\d.]+) words\)$/, (m) => t("cap.too_short", { words: m[1] })],
  [/^far too long for one answer \(([\d.]+) words\)$/, (m) => t("cap.too_long", { words: m[1] })],
  [/^answered in (\w+), the interview is in (\w+)$/, (m) => t("cap.other_language", { answered: langLabel(m[1]), interview: langLabel(m[2]) })],
];

function answerNote(note) {
  const text = String(note || "");
  let m = text.match(/^multiple-choice item; option keyed (\d) of 3$/);
  if (m) return t("note.choice", { points: m[1] });
  const parts = text.split("; ").map((part) => {
    m = part.match(/^too short to show behaviour \(([\d.]+) words kept, need (\d+)\)$/);
    if (m) return t("note.short", { words: m[1], need: m[2] });
    m = part.match(/^capped at (\d): (.*)$/);
    const cap = m && CAPS.map(([re, say]) => [m[2].match(re), say]).find(([x]) => x);
    if (cap) return t("note.capped", { cap: m[1], reason: cap[1](cap[0]) });
    return null;
  });
  if (parts.some((x) => x === null)) return t("note.as_written", { note: text });
  return parts.join(getLang() === "zh" ? "；" : "; ");
}

function asideReason(reason) {
  const key = `aside.${reason}`;
  return t(key) === key ? String(reason || "") : t(key);
}

// How each answer's level was reached: the content model's features, what they added, and
// the sentences that did not count (instructions to the scorer, repeats, lists...).
function basisBlock(r, c) {
  const answers = (c.answers || []).filter((a) => (a.basis && a.basis.length) || (a.set_aside && a.set_aside.length));
  if (!answers.length) return null;
  const version = answers.map((a) => a.model_version).find(Boolean) || "";
  return h("details", { class: "basis small", dataset: { testid: "score-basis" } },
    h("summary", { text: t("report.basis") }),
    answers.map((a) => h("div", {},
      h("p", { text: t("report.basis_row", { question: questionName(r, a.question_id) || "—", value: Number(a.value).toFixed(2) }) }),
      h("ul", {}, (a.basis || []).map((f) => h("li", {
        text: `${t(`basis.${f.name}`)}: ${Number(f.value).toFixed(2)} × ${Number(f.weight).toFixed(3)} = +${Number(f.points).toFixed(2)}`,
      }))),
      (a.set_aside || []).length
        ? h("ul", { class: "muted" }, a.set_aside.map((x) => h("li", { text: `${t("report.set_aside")}: «${x.quote}» (${asideReason(x.reason)})` })))
        : null)),
    version ? h("p", { class: "muted", text: t("report.basis_model", { version }) }) : null);
}

function mayReview(r) {
  const u = state.user || {};
  if (u.role === "admin" || u.role === "recruiter") return true;
  return u.role === "reviewer" && r.reviewer_id === u.id;
}

function checkLabel(c) {
  const key = `check.${c}`;
  return t(key) === key ? String(c).replaceAll("_", " ") : t(key);
}

/** A question as HR knows it, by its words (never its internal id); "" when not known. */
function questionName(r, qid, n = 60) {
  const a = (r.answers || []).find((x) => x.question_id === qid);
  const text = a && a.question_text ? String(a.question_text) : "";
  return text.length > n ? `${text.slice(0, n - 1).trimEnd()}…` : text;
}

function span(f) {
  if (!present(f.start_s)) return "";
  const end = present(f.end_s) && f.end_s > f.start_s ? `–${f.end_s.toFixed(1)}` : "";
  return ` ${t("report.at")} ${f.start_s.toFixed(1)}${end} s`;
}

// ---------------------------------------------------------------- player

/** One <video> for every recorded answer; evidence and words seek it. */
class Player {
  constructor(r) {
    this.answers = (r.answers || []).filter((a) => a.media_url);
    this.flags = r.integrity_flags || [];
    this.current = null;
    this.video = h("video", { id: "player", controls: true, preload: "metadata", playsInline: true,
      dataset: { testid: "player" } });
    this.choice = select(this.answers.map((a, i) => [a.answer_id, `${i + 1}. ${a.question_text || a.question_id}`]),
      this.answers[0] && this.answers[0].answer_id, { dataset: { testid: "player-answer" } });
    this.choice.addEventListener("change", () => this.load(this.choice.value));
    this.timeline = h("div", { class: "timeline", dataset: { testid: "timeline" } });
    this.transcript = h("p", { class: "transcript", dataset: { testid: "transcript" } });
    this.untimed = h("ul", { class: "plain small" });
    this.words = [];
    this.video.addEventListener("timeupdate", () => this.sync());
    this.video.addEventListener("loadedmetadata", () => this.drawTimeline());
  }

  element() {
    if (!this.answers.length) return null;
    return h("section", { class: "player", dataset: { testid: "report-player" } },
      h("h3", { text: t("report.recordings") }),
      field(t("report.answer"), this.choice),
      this.video,
      this.timeline,
      this.untimed,
      h("h5", { text: t("report.transcript") }),
      this.transcript);
  }

  answerFor(questionId) {
    return this.answers.find((a) => a.question_id === questionId) || null;
  }

  load(answerId) {
    const a = this.answers.find((x) => x.answer_id === answerId);
    if (!a || (this.current && this.current.answer_id === answerId)) return Promise.resolve();
    this.current = a;
    this.choice.value = answerId;
    this.video.src = a.media_url;
    this.renderWords(a);
    this.drawTimeline();
    return new Promise((resolve) => {
      if (this.video.readyState >= 1) resolve();
      else this.video.addEventListener("loadedmetadata", () => resolve(), { once: true });
    });
  }

  async seek(questionId, seconds) {
    const a = this.answerFor(questionId);
    if (!a) return;
    await this.load(a.answer_id);
    this.video.currentTime = Math.max(0, seconds);
    this.video.scrollIntoView({ block: "center", behavior: "smooth" });
    try {
      await this.video.play();
    } catch {
      /* autoplay refused: the position is set, the viewer presses play */
    }
  }

  renderWords(a) {
    this.words = (a.words || []).map(([w, start, end]) => {
      const el = h("span", { class: "word", text: `${w} `, dataset: { testid: "transcript-word", start } });
      el.addEventListener("click", () => {
        this.video.currentTime = start;
      });
      return { el, start, end };
    });
    if (this.words.length) this.transcript.replaceChildren(...this.words.map((w) => w.el));
    else this.transcript.replaceChildren(h("span", { class: "muted", text: a.text || t("report.no_words") }));
  }

  sync() {
    const now = this.video.currentTime;
    for (const w of this.words) w.el.classList.toggle("on", now >= w.start && now < w.end + 0.05);
    const cursor = this.timeline.querySelector(".cursor");
    const d = this.duration();
    if (cursor && d) cursor.style.left = `${Math.min(100, (now / d) * 100)}%`;
  }

  duration() {
    const d = this.video.duration;
    if (Number.isFinite(d) && d > 0) return d;
    return (this.current && this.current.duration_s) || 0;
  }

  drawTimeline() {
    const a = this.current;
    if (!a) return;
    const d = this.duration();
    const mine = this.flags.filter((f) => f.question_id === a.question_id);
    const marks = [h("span", { class: "cursor" })];
    const untimed = [];
    for (const f of mine) {
      if (!present(f.start_s) || !d) {
        untimed.push(h("li", { text: `${t(`flag.${f.kind}`)} (${t(`sev.${f.severity}`)}): ${flagNote(f)}` }));
        continue;
      }
      const end = present(f.end_s) ? f.end_s : f.start_s;
      const mark = h("button", {
        type: "button", class: `flag-mark sev-${f.severity}`,
        title: `${t(`flag.${f.kind}`)}${span(f)}: ${flagNote(f)}`,
        dataset: { testid: "flag-marker", kind: f.kind },
        attrs: { "aria-label": `${t(`flag.${f.kind}`)}${span(f)}` },
      });
      mark.style.left = `${(f.start_s / d) * 100}%`;
      mark.style.width = `${Math.max(0.8, ((end - f.start_s) / d) * 100)}%`;
      mark.addEventListener("click", () => {
        this.video.currentTime = f.start_s;
      });
      marks.push(mark);
    }
    this.timeline.replaceChildren(...marks);
    this.timeline.title = mine.length ? t("report.timeline_flags") : t("report.timeline_none");
    this.untimed.replaceChildren(...untimed);
  }
}

// ---------------------------------------------------------------- blocks

function levelPips(level) {
  const wrap = h("span", { class: "pips", attrs: { "aria-hidden": "true" } });
  for (let i = 1; i <= 5; i += 1) wrap.append(h("span", { class: i <= level ? "pip on" : "pip" }));
  return wrap;
}

function listOrNone(items, testid, cls, empty) {
  if (!items || items.length === 0) return h("p", { class: "muted small", text: empty || t("common.none"), dataset: { testid } });
  return h("ul", { class: cls, dataset: { testid } }, items.map((x) => h("li", { text: x })));
}

function overrideForm(r, c, after, onChanged) {
  const level = select([1, 2, 3, 4, 5].map((n) => [String(n), String(n)]), String(after ? after.level : c.level),
    { dataset: { testid: "override-level" } });
  const reason = h("textarea", { rows: 2, maxLength: 4000, required: true, dataset: { testid: "override-reason" },
    placeholder: t("review.reason_ph") });
  const submit = h("button", { type: "submit", class: "button small primary", text: t("review.change"),
    dataset: { testid: "override-submit" } });
  const form = h("form", { class: "override-form", noValidate: true, dataset: { testid: "override-form", competencyId: c.competency_id } },
    field(t("review.new_level"), level), field(t("review.reason"), reason, t("review.reason_hint")), submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error("");
    const text = reason.value.trim();
    if (text.length < 10) {
      error(t("review.reason_short"));
      reason.focus();
      return;
    }
    await busy(submit, t("common.saving"), async () => {
      try {
        await authed(`/sessions/${encodeURIComponent(r.session_id)}/overrides`, {
          method: "POST", body: { competency_id: c.competency_id, level: Number(level.value), reason: text },
        });
        notice(t("review.changed"));
        await onChanged();
      } catch (err) {
        error(messageOf(err));
      }
    });
  });
  return h("details", { class: "override", dataset: { testid: "override" } },
    h("summary", { text: t("review.change_level"), dataset: { testid: "override-toggle" } }), form);
}

function competencyBlock(r, c, player, reviewed, onChanged) {
  const after = reviewed.get(c.competency_id);
  const changed = after && after.overridden;
  const notes = (c.answers || []).map((a) => a.note).filter(Boolean);
  const evidence = (c.evidence || []).map((e) => {
    const canPlay = present(e.start_s) && player.answerFor(e.question_id);
    const play = canPlay
      ? h("button", { type: "button", class: "button small play", text: `▶ ${clock(e.start_s)}`,
          dataset: { testid: "evidence-play", start: e.start_s, questionId: e.question_id },
          attrs: { "aria-label": t("report.play_at", { time: clock(e.start_s) }) } })
      : null;
    if (play) play.addEventListener("click", () => player.seek(e.question_id, e.start_s));
    return h("li", { dataset: { testid: "evidence-item" } },
      h("blockquote", { text: e.quote, dataset: { testid: "evidence-quote" } }),
      h("p", { class: "small muted" }, play,
        h("span", { text: supportsLabel(e.supports), dataset: { testid: "evidence-supports" } }),
        questionName(r, e.question_id)
          ? h("span", { text: ` · ${t("report.question")} `, attrs: { title: questionName(r, e.question_id, 1000) } },
              h("q", { text: questionName(r, e.question_id, 40), dataset: { testid: "evidence-question" } }))
          : null,
        present(e.start_s) ? ` · ${clock(e.start_s)}–${clock(e.end_s)}` : ""));
  });
  return h("section", { class: "competency", dataset: { testid: "report-competency", competencyId: c.competency_id } },
    h("div", { class: "competency-head" },
      h("h4", { text: c.name || c.competency_id, dataset: { testid: "competency-name" } }),
      h("span", { class: "level" }, levelPips(changed ? after.level : c.level),
        h("span", { dataset: { testid: "competency-level" }, text: t("report.level", { level: c.level }) }),
        changed
          ? h("span", { class: "reviewed-level", dataset: { testid: "competency-reviewed-level" },
              text: t("report.after_review_level", { level: after.level }) })
          : null)),
    h("dl", { class: "facts" },
      h("dt", { text: t("report.confidence") }), h("dd", { text: pct(c.confidence), dataset: { testid: "competency-confidence" } }),
      h("dt", { text: t("report.weight") }), h("dd", { text: pct(c.weight, 1), dataset: { testid: "competency-weight" } }),
      h("dt", { text: t("report.score") }), h("dd", { text: typeof c.value === "number" ? c.value.toFixed(2) : "—" })),
    h("h5", { text: t("report.evidence") }),
    evidence.length
      ? h("ul", { class: "evidence", dataset: { testid: "evidence" } }, evidence)
      : h("p", { class: "muted small", text: t("report.no_quotes"), dataset: { testid: "evidence" } }),
    h("div", { class: "indicators" },
      h("div", {}, h("h5", { text: t("report.pos_matched") }), listOrNone(c.matched_positive, "matched-positive", "positive")),
      h("div", {}, h("h5", { text: t("report.neg_matched") }), listOrNone(c.matched_negative, "matched-negative", "negative"))),
    notes.length ? h("ul", { class: "notes small muted", dataset: { testid: "answer-notes" } }, notes.map((n) => h("li", { text: answerNote(n) }))) : null,
    basisBlock(r, c),
    mayReview(r) ? overrideForm(r, c, after, onChanged) : null);
}

const shorten = (s, n) => (s.length > n ? `${s.slice(0, n - 1).trimEnd()}…` : s);
const fixed = (x, n = 3) => (typeof x === "number" ? x.toFixed(n) : "—");
const MEASURES = { binoculars: "Binoculars", fast_detect_gpt: "Fast-DetectGPT" };

// The machine-written-text check of each answer: its band and what it means, the evidence (the
// measure, the threshold, the length judged) or why it was not judged, and what a band is worth.
function machineTextBlock(r, results) {
  const ids = Object.keys(results || {});
  if (!ids.length) return null;
  const questions = new Map((r.answers || []).map((a) => [a.question_id, a.question_text]));
  const order = new Map((r.answers || []).map((a, i) => [a.question_id, i]));
  ids.sort((a, b) => (order.get(a) ?? ids.length) - (order.get(b) ?? ids.length) || a.localeCompare(b));
  const rows = ids.map((qid) => {
    const x = results[qid];
    const words = Math.round(Number(x.words) * 10) / 10;
    const measure = x.statistic === "fast_detect_gpt" ? x.fast_detect_gpt : x.binoculars;
    const result = x.judged && x.band
      ? h("td", { dataset: { testid: "machine-text-band", band: x.band } }, h("strong", { text: t(`mt.${x.band}`) }))
      : h("td", { dataset: { testid: "machine-text-band", band: "not_judged" } },
          h("strong", { text: t("mt.not_judged") }), h("span", { class: "block small muted", text: machineTextReason(x.reason) }));
    const evidence = x.judged
      ? h("td", { class: "small", dataset: { testid: "machine-text-evidence" } },
          present(measure)
            ? h("span", { class: "block", text: t("mt.measure", { name: MEASURES[x.statistic] || x.statistic, value: fixed(measure) }) })
            : null,
          h("span", { class: "block", text: t("mt.score", { score: fixed(x.score), threshold: fixed(x.threshold) }) }),
          h("span", { class: "block muted", text: t("mt.length", { tokens: x.tokens, words }) }))
      : h("td", { class: "small muted", dataset: { testid: "machine-text-evidence" }, text: t("mt.words", { words }) });
    return h("tr", { dataset: { testid: "machine-text-row", questionId: qid } },
      h("td", { text: shorten(questions.get(qid) || qid, 90), attrs: { title: questions.get(qid) || qid } }),
      result, evidence);
  });
  return h("div", { class: "machine-text", dataset: { testid: "machine-text" } },
    h("h4", { text: t("mt.title") }),
    h("div", { class: "table-wrap" }, h("table", { class: "compact" },
      h("thead", {}, h("tr", {}, h("th", { text: t("mt.question") }), h("th", { text: t("mt.result") }),
        h("th", { text: t("mt.evidence") }))),
      h("tbody", {}, rows))),
    h("p", { class: "small muted", text: t("mt.note"), dataset: { testid: "machine-text-note" } }));
}

// Beside the scores, never inside them: the level, why, what was checked, and each flag.
function integrityBlock(r) {
  const summary = r.integrity_summary;
  const flags = r.integrity_flags || [];
  const level = r.integrity || "not_assessed";
  return h("section", { class: "integrity-box", dataset: { testid: "report-integrity", level } },
    h("h3", { text: t("integrity.title") }),
    h("p", {},
      h("span", { class: "integrity", text: t(`integrity.${level}`), dataset: { level, testid: "report-integrity-level" } }),
      summary ? h("span", { class: "muted small", text: ` · ${integrityReason(summary)}`, dataset: { testid: "report-integrity-reason" } }) : null),
    summary && summary.checks && summary.checks.length
      ? h("p", { class: "small muted", text: `${t("integrity.checked")} ${summary.checks.map(checkLabel).join(", ")}` })
      : null,
    h("ul", { class: "plain", dataset: { testid: "report-integrity-flags" } },
      flags.length
        ? flags.map((f) => h("li", { dataset: { kind: f.kind, severity: f.severity } },
            h("strong", { text: `${t(`flag.${f.kind}`)} (${t(`sev.${f.severity}`)})` }),
            h("span", { class: "muted", text: `${questionName(r, f.question_id) ? ` · “${questionName(r, f.question_id)}”` : ""}${span(f)}` }),
            h("span", { class: "block small", text: flagNote(f) })))
        : [h("li", { class: "muted", text: t("integrity.no_flags") })]),
    summary ? machineTextBlock(r, summary.machine_text) : null);
}

async function reviewPanel(r, onChanged) {
  const rev = r.review || {};
  const parts = [h("h3", { text: t("review.title") })];
  const who = rev.reviewer ? t("review.assigned_to", { name: rev.reviewer }) : t("review.unassigned");
  parts.push(h("p", { text: who, dataset: { testid: "review-assignee" } }));
  if (isWriter()) {
    const people = await authed("/users").catch(() => []);
    const candidates = people.filter((u) => u.active && ["reviewer", "recruiter", "admin"].includes(u.role));
    const pick = select([["", t("review.nobody")], ...candidates.map((u) => [u.id, `${u.name} (${t(`role.${u.role}`)})`])],
      r.reviewer_id || "", { dataset: { testid: "assign-reviewer" } });
    const save = h("button", { type: "button", class: "button small", text: t("review.assign"), dataset: { testid: "assign-submit" } });
    save.addEventListener("click", () => busy(save, t("common.saving"), async () => {
      try {
        await authed(`/sessions/${encodeURIComponent(r.session_id)}/reviewer`, { method: "PUT", body: { reviewer_id: pick.value || null } });
        notice(t("review.assigned"));
        await onChanged();
      } catch (err) {
        error(messageOf(err));
      }
    }));
    parts.push(h("div", { class: "inline-form" }, field(t("review.reviewer"), pick), save));
  }
  if (rev.decision) {
    const d = rev.decision;
    parts.push(h("p", { class: "decision", dataset: { testid: "review-decision", decision: d.decision } },
      h("span", { class: "band", text: t(`decision.${d.decision}`), dataset: { band: d.decision } }), " ",
      h("span", { text: `${d.by} · ${fmtDate(d.at)} · ${d.reason}` })));
  }
  if (mayReview(r)) {
    const choice = select([["advance", t("decision.advance")], ["hold", t("decision.hold")], ["reject", t("decision.reject")]],
      rev.decision ? rev.decision.decision : "hold", { dataset: { testid: "decision-choice" } });
    const reason = h("textarea", { rows: 2, maxLength: 4000, dataset: { testid: "decision-reason" }, placeholder: t("review.reason_ph") });
    const submit = h("button", { type: "submit", class: "button small primary", text: t("review.record"), dataset: { testid: "decision-submit" } });
    const form = h("form", { class: "decision-form", noValidate: true, dataset: { testid: "decision-form" } },
      field(t("review.decision"), choice), field(t("review.reason"), reason, t("review.reason_hint")), submit);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (reason.value.trim().length < 10) {
        error(t("review.reason_short"));
        reason.focus();
        return;
      }
      await busy(submit, t("common.saving"), async () => {
        try {
          await authed(`/sessions/${encodeURIComponent(r.session_id)}/decision`, {
            method: "PUT", body: { decision: choice.value, reason: reason.value.trim() },
          });
          notice(t("review.recorded"));
          await onChanged();
        } catch (err) {
          error(messageOf(err));
        }
      });
    });
    parts.push(form);
  } else {
    parts.push(h("p", { class: "muted small", text: t("review.read_only"), dataset: { testid: "review-readonly" } }));
  }
  const changes = rev.overrides || [];
  parts.push(h("h4", { text: t("review.changes") }));
  parts.push(changes.length
    ? h("ul", { class: "plain", dataset: { testid: "review-changes" } }, changes.map((o) => h("li", {},
        h("strong", { text: `${o.competency_id}: ${o.old_level} → ${o.new_level}` }),
        h("span", { class: "muted", text: ` · ${o.reviewer} · ${fmtDate(o.at)}` }),
        h("span", { class: "block small", text: o.reason }))))
    : h("p", { class: "muted small", text: t("review.no_changes"), dataset: { testid: "review-changes" } }));
  const trail = r.trail || [];
  parts.push(h("details", { class: "audit" },
    h("summary", { text: t("review.audit", { n: trail.length }) }),
    h("ol", { class: "small", dataset: { testid: "audit-trail" } }, trail.map((e) => h("li", { dataset: { action: e.action } },
      h("span", { text: `${fmtDate(e.at)} · ${e.actor} · ${t(`audit.${e.action}`) === `audit.${e.action}` ? e.action : t(`audit.${e.action}`)}` }),
      e.detail && e.detail.reason ? h("span", { class: "muted", text: ` · ${e.detail.reason}` }) : null,
      // Who looked: the file taken (JSON, PDF) and the address it was taken from.
      e.detail && e.detail.format ? h("span", { class: "muted", text: ` · ${String(e.detail.format).toUpperCase()}` }) : null,
      e.detail && e.detail.ip ? h("span", { class: "muted", dataset: { testid: "audit-ip" }, text: ` · ${t("audit.from", { ip: e.detail.ip })}` }) : null)))));
  return h("section", { class: "review-panel", dataset: { testid: "review-panel" } }, ...parts);
}

/** The candidate's request for a human review: when, their reason, and whether a person has
 * answered it (a level change, a decision or a note after the request). Those who may decide
 * on the interview can answer an open one with a note. */
function reviewRequestBlock(r, onChanged) {
  const q = r.review_request;
  if (!q) return null;
  const open = q.status !== "answered";
  const parts = [
    h("h3", { text: t("rr.title") }),
    h("p", { class: "small", dataset: { testid: "review-request-asked" }, text: t("rr.asked", { date: fmtDate(q.requested_at) }) }),
    q.reason
      ? h("blockquote", { class: "rr-reason", dataset: { testid: "review-request-reason" } },
          h("span", { class: "muted small block", text: t("rr.reason") }), h("span", { text: q.reason }))
      : h("p", { class: "muted small", text: t("rr.no_reason"), dataset: { testid: "review-request-reason" } }),
    h("p", { dataset: { testid: "review-request-status", state: open ? "open" : "answered" } },
      h("span", { class: "badge review-request", text: t(`rr.badge_${open ? "open" : "answered"}`), dataset: { state: open ? "open" : "answered" } }), " ",
      h("span", { text: open ? t("rr.open") : t(`rr.answered_${q.answered_via || "note"}`, { name: q.answered_by || "—", date: fmtDate(q.answered_at) }) })),
    !open && q.answer ? h("blockquote", { class: "rr-reason", text: q.answer, dataset: { testid: "review-request-answer" } }) : null,
  ];
  if (open && mayReview(r)) {
    const note = h("textarea", { rows: 2, maxLength: 4000, placeholder: t("rr.note_ph"), dataset: { testid: "review-request-note" } });
    const submit = h("button", { type: "submit", class: "button small primary", text: t("rr.mark"), dataset: { testid: "review-request-submit" } });
    const form = h("form", { class: "decision-form", noValidate: true }, field(t("rr.note_label"), note, t("rr.note_hint")), submit);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (note.value.trim().length < 10) {
        error(t("review.reason_short"));
        note.focus();
        return;
      }
      await busy(submit, t("common.saving"), async () => {
        try {
          await authed(`/sessions/${encodeURIComponent(r.session_id)}/review-request/answer`, {
            method: "POST", body: { note: note.value.trim() },
          });
          notice(t("rr.marked"));
          await onChanged();
        } catch (err) {
          error(messageOf(err));
        }
      });
    });
    parts.push(form);
  }
  return h("section", { class: `review-request-box${open ? " open" : ""}`, dataset: { testid: "review-request" } },
    ...parts.filter(Boolean));
}

// Written and chosen answers, and timed items whose time ran out with nothing given (kind
// "timeout"): said in words, never as the stored kind.
function answersBlock(r) {
  const typed = (r.answers || []).filter((a) => !a.media_url && (a.text || a.kind === "timeout"));
  if (!typed.length) return null;
  return h("details", { class: "answers" },
    h("summary", { text: t("report.typed_answers", { n: typed.length }) }),
    h("ol", { class: "small" }, typed.map((a) => h("li", {},
      h("p", { class: "muted", text: a.question_text || a.question_id }),
      a.kind === "timeout"
        ? h("p", { class: "answer-text muted", text: t("report.timed_out"), dataset: { testid: "answer-timed-out" } })
        : h("p", { class: "answer-text", text: a.text })))));
}

// ---------------------------------------------------------------- the page

/** An interview a person must assess (the candidate withdrew consent to AI assessment, or
 * never gave it): the note saying so, the answers and the review; no score, no band. */
async function showPersonAssessment(root, r, reload) {
  const player = new Player(r);
  root.replaceChildren(...[
    h("p", { class: "report-who" },
      h("strong", { text: r.candidate_name, dataset: { testid: "report-candidate" } }),
      " · ", h("span", { text: r.role_title, dataset: { testid: "report-role" } }),
      " · ", h("span", { text: langLabel(r.language) }),
      " · ", h("span", { class: "status", text: t(`status.${r.status}`), dataset: { status: r.status, testid: "report-status" } })),
    h("p", { class: "person-assessment", text: r.assessment.text,
      dataset: { testid: "report-person-assessment", reason: r.assessment.reason } }),
    reviewRequestBlock(r, reload),
    player.element(),
    answersBlock(r),
    await reviewPanel(r, reload),
  ].filter((x) => x !== null && x !== undefined && x !== false));
  if (player.answers.length) player.load(player.answers[0].answer_id);
  $("report").dataset.sessionId = r.session_id;
  return r;
}

/** Fill `root` with the report of session `sid` (refetched after every review change). */
export async function showReport(root, sid) {
  const r = await authed(`/sessions/${encodeURIComponent(sid)}/report`);
  const reload = () => showReport(root, sid);
  if (r.assessed_by === "person") return showPersonAssessment(root, r, reload);
  const rev = r.review || {};
  const reviewed = new Map(((rev.reviewed || {}).competencies || []).map((c) => [c.competency_id, c]));
  const player = new Player(r);
  const p = r.provenance || {};
  const models = Object.entries(p.models || {}).map(([task, m]) => `${task}: ${m}`).join(", ");
  const names = new Map((r.competencies || []).map((c) => [c.competency_id, c.name]));
  const unanswered = (r.unanswered || []).map((qid) => {
    const comp = names.get(String(qid).split(":")[0]);
    const words = (r.unanswered_text || {})[qid] || t("report.question");
    return comp ? `${words} (${comp})` : words;
  });
  const after = rev.reviewed && rev.reviewed.changed ? rev.reviewed : null;
  const resumeRisks = (r.risks || []).filter((x) => x.kind === "resume");
  // A flag's risk line is written by the server in English with its question's id: said here
  // from the flag itself, as the integrity box says it.
  const otherRisks = (r.risks || []).filter((x) => x.kind !== "resume" && x.kind !== "integrity");
  const flagRisks = (r.integrity_flags || []).filter((f) => f.severity !== "low");
  const comp = r.compliance || {};

  const pdf = h("button", { type: "button", class: "button small", text: t("report.pdf"), dataset: { testid: "download-pdf" } });
  pdf.addEventListener("click", () => busy(pdf, t("common.preparing"), () =>
    download(`/sessions/${encodeURIComponent(sid)}/report.pdf?lang=${state.lang}`, `report-${sid}.pdf`)
      .catch((err) => error(messageOf(err)))));
  const json = h("button", { type: "button", class: "button small", text: t("report.json"), dataset: { testid: "download-json" } });
  json.addEventListener("click", () => busy(json, t("common.preparing"), () =>
    download(`/sessions/${encodeURIComponent(sid)}/report.json`, `report-${sid}.json`).catch((err) => error(messageOf(err)))));

  const axes = (r.competencies || []).map((c) => {
    const a = reviewed.get(c.competency_id);
    return { id: c.competency_id, name: c.name, value: c.value, reviewed: a && a.overridden ? a.level : null };
  });
  const radar = axes.length
    ? h("figure", { class: "radar-wrap" }, radarChart(axes, { title: t("report.radar"), labels: { level: t("report.level_short") } }),
        h("figcaption", { class: "small muted", text: after ? t("report.radar_caption_reviewed") : t("report.radar_caption") }))
    : null;

  root.replaceChildren(...[
    h("div", { class: "report-actions" }, pdf, json),
    h("p", { class: "report-who" },
      h("strong", { text: r.candidate_name, dataset: { testid: "report-candidate" } }),
      " · ", h("span", { text: r.role_title, dataset: { testid: "report-role" } }),
      " · ", h("span", { text: langLabel(r.language) }),
      " · ", h("span", { class: "status", text: t(`status.${r.status}`), dataset: { status: r.status, testid: "report-status" } })),
    h("div", { class: "overall" },
      h("div", { class: "overall-score" },
        h("span", { id: "report-overall", text: score(r.overall), dataset: { testid: "report-overall" } }),
        h("span", { class: "muted", text: " / 100" })),
      h("span", { id: "report-band", class: "band", text: bandLabel(r.band), dataset: { testid: "report-band", band: r.band } }),
      after
        ? h("span", { class: "reviewed-overall", dataset: { testid: "report-reviewed-overall" } },
            `${t("report.after_review")}: `, h("strong", { text: score(after.overall) }), " / 100 · ", bandLabel(after.band))
        : null,
      rev.decision
        ? h("span", { class: "band", text: `${t("review.decision")}: ${t(`decision.${rev.decision.decision}`)}`, dataset: { band: rev.decision.decision } })
        : null),
    typeof r.coverage === "number"
      ? h("p", { class: "small", id: "report-coverage", text: t("report.coverage", { pct: Math.round(r.coverage * 100) }) })
      : null,
    (r.not_assessed || []).length
      ? h("p", { class: "small", dataset: { testid: "report-not-assessed" },
        text: t("report.not_assessed", { names: r.not_assessed.join(r.language === "zh" ? "、" : ", ") }) })
      : null,
    h("p", { class: "small muted", text: t("report.ai_notice") }),
    reviewRequestBlock(r, reload),
    (comp.notes || []).length
      ? h("ul", { class: "compliance small", dataset: { testid: "report-compliance", profile: comp.profile } },
          comp.notes.map((n) => h("li", { text: t(`compliance.${n}`) })))
      : null,
    h("div", { class: "report-top" }, radar, integrityBlock(r)),
    player.element(),
    h("h3", { text: t("report.competencies") }),
    h("div", { id: "report-competencies", dataset: { testid: "report-competencies" } },
      (r.competencies || []).map((c) => competencyBlock(r, c, player, reviewed, reload))),
    h("h3", { text: t("report.how") }),
    h("ul", { id: "report-contributions", class: "plain", dataset: { testid: "report-contributions" } },
      (r.contributions || []).map((c) => h("li", {
        text: `${t(`modality.${c.modality}`)}: ${score(c.score)} × ${Math.round(c.weight * 100)}% = ${score(c.points)}`,
      }))),
    h("h3", { text: t("report.highlights") }),
    h("ul", { id: "report-highlights", class: "plain", dataset: { testid: "report-highlights" } },
      (r.highlights || []).length
        ? r.highlights.map((x) => h("li", {}, h("strong", { text: `${x.text}: ` }), h("q", { text: x.quote })))
        : [h("li", { class: "muted", text: t("common.none") })]),
    h("h3", { text: t("report.risks") }),
    h("ul", { id: "report-risks", class: "plain", dataset: { testid: "report-risks" } },
      otherRisks.length || flagRisks.length
        ? [
            ...otherRisks.map((x) => h("li", {}, h("span", { class: "muted", text: `${t(`risk.${x.kind}`)}: ` }),
              h("span", { text: x.text }), x.quote ? h("q", { text: ` ${x.quote}` }) : null)),
            ...flagRisks.map((f) => h("li", { dataset: { kind: "integrity" } },
              h("span", { class: "muted", text: `${t("risk.integrity")}: ` }),
              h("span", { text: `${t(`flag.${f.kind}`)} (${t(`sev.${f.severity}`)})` }),
              h("span", { class: "muted", text: `${questionName(r, f.question_id) ? ` · “${questionName(r, f.question_id)}”` : ""}${span(f)}: ` }),
              h("span", { text: flagNote(f) }))),
          ]
        : [h("li", { class: "muted", text: t("common.none") })]),
    h("h3", { text: t("report.resume_risks") }),
    listOrNone(resumeRisks.map((x) => x.text), "report-resume-risks", "plain", t("report.no_resume_risks")),
    answersBlock(r),
    h("h3", { text: t("report.unanswered") }),
    h("div", { id: "report-unanswered" }, listOrNone(unanswered, "report-unanswered", "plain", t("report.all_answered"))),
    (r.followups || []).length ? h("h3", { text: t("report.followups") }) : null,
    (r.followups || []).length
      ? listOrNone((r.followups || []).map((f) => `${questionName(r, f.question_id) || "—"}: ${f.text}`), "report-followups", "plain", "")
      : null,
    await reviewPanel(r, reload),
    h("h3", { text: t("report.provenance") }),
    h("dl", { id: "report-provenance", class: "facts provenance", dataset: { testid: "report-provenance" } },
      h("dt", { text: t("prov.package") }), h("dd", { text: p.package_version || "—", dataset: { testid: "prov-package" } }),
      h("dt", { text: t("prov.library") }), h("dd", { text: p.library_version || "—" }),
      h("dt", { text: t("prov.model_version") }), h("dd", { text: present(p.competency_model_version) ? String(p.competency_model_version) : "—" }),
      h("dt", { text: t("prov.models") }), h("dd", { text: models || "—", dataset: { testid: "prov-models" } }),
      h("dt", { text: t("prov.settings") }), h("dd", {}, h("code", { text: p.settings_hash || "—", dataset: { testid: "prov-settings-hash" } })),
      h("dt", { text: t("prov.scored_at") }), h("dd", { text: fmtDate(p.scored_at) || "—" })),
  ].filter((x) => x !== null && x !== undefined && x !== false));
  if (player.answers.length) player.load(player.answers[0].answer_id);
  $("report").dataset.sessionId = sid;
  return r;
}

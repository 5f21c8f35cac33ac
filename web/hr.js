// HR dashboard: sign in, roles (create, details, invite), candidates, reports.
// Every string from the server goes into the page through textContent (see h() in api.js).

import { api, ApiError, busy, h, showError } from "./api.js";

const TOKEN_KEY = "interview.hr.token";
const USER_KEY = "interview.hr.user";
const WRITERS = new Set(["admin", "recruiter"]);
const LANGS = { en: "English", zh: "中文" };
const BANDS = {
  advance: "Advance",
  review: "Review",
  not_now: "Not now",
  insufficient: "Insufficient evidence",
};
const MODALITIES = { content: "What was said", delivery: "How it was said", presence: "On camera" };

const $ = (id) => document.getElementById(id);
const els = {
  error: $("error"),
  notice: $("notice"),
  login: $("login"),
  loginForm: $("login-form"),
  loginEmail: $("login-email"),
  loginPassword: $("login-password"),
  loginSubmit: $("login-submit"),
  dashboard: $("dashboard"),
  userInfo: $("user-info"),
  signout: $("signout"),
  roleCreate: $("role-create"),
  roleForm: $("role-form"),
  roleTitle: $("role-title"),
  roleDescription: $("role-description"),
  roleLanguage: $("role-language"),
  roleSubmit: $("role-submit"),
  roleReadonly: $("role-readonly"),
  rolesList: $("roles-list"),
  rolesEmpty: $("roles-empty"),
  sessionsBody: $("sessions-body"),
  sessionsEmpty: $("sessions-empty"),
  sessionsRefresh: $("sessions-refresh"),
  report: $("report"),
  reportBody: $("report-body"),
  reportClose: $("report-close"),
};

const state = { token: null, user: null };

// ---------------------------------------------------------------- messages

function error(message) {
  showError(els.error, message);
  if (message) els.notice.hidden = true;
}

let noticeTimer = 0;
function notice(message) {
  clearTimeout(noticeTimer);
  els.notice.textContent = message || "";
  els.notice.hidden = !message;
  if (message) noticeTimer = setTimeout(() => (els.notice.hidden = true), 6000);
}

function messageOf(err) {
  if (err instanceof ApiError && err.status === 0) {
    return "Could not reach the server. Check your connection and try again.";
  }
  return (err && err.message) || String(err);
}

// ---------------------------------------------------------------- formatting

function fmtDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

function pct(x, digits = 0) {
  return typeof x === "number" ? `${(x * 100).toFixed(digits)}%` : "—";
}

function score(x) {
  return typeof x === "number" ? x.toFixed(1) : "—";
}

function langLabel(code) {
  return LANGS[code] || String(code || "");
}

/** "anchor:3" -> "Level 3 anchor"; "positive:x" -> "Positive indicator · x". */
function supportsLabel(s) {
  const [kind, ...rest] = String(s || "").split(":");
  const what = rest.join(":").replaceAll("_", " ");
  if (kind === "anchor") return `Level ${what} anchor`;
  if (kind === "positive") return `Positive indicator · ${what}`;
  if (kind === "negative") return `Negative indicator · ${what}`;
  return String(s || "");
}

// ---------------------------------------------------------------- auth

function saveAuth(token, user) {
  state.token = token;
  state.user = user;
  try {
    if (token) {
      sessionStorage.setItem(TOKEN_KEY, token);
      sessionStorage.setItem(USER_KEY, JSON.stringify(user));
    } else {
      sessionStorage.removeItem(TOKEN_KEY);
      sessionStorage.removeItem(USER_KEY);
    }
  } catch {
    /* storage unavailable: keep the token in memory only */
  }
}

function loadAuth() {
  try {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const user = JSON.parse(sessionStorage.getItem(USER_KEY) || "null");
    return { token, user };
  } catch {
    return { token: null, user: null };
  }
}

/** Call the API as the signed-in user; an expired or invalid token returns to the sign-in form. */
async function authed(path, opts = {}) {
  try {
    return await api(path, { ...opts, token: state.token });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      signOut();
      error(`Please sign in again: ${err.message}`);
    }
    throw err;
  }
}

function isWriter() {
  return !!state.user && WRITERS.has(state.user.role);
}

function showLogin() {
  els.dashboard.hidden = true;
  els.userInfo.hidden = true;
  els.signout.hidden = true;
  els.login.hidden = false;
  els.loginEmail.focus();
}

function showDashboard() {
  els.login.hidden = true;
  els.dashboard.hidden = false;
  const u = state.user || {};
  els.userInfo.textContent = u.name ? `${u.name} · ${u.role}` : u.email || "";
  els.userInfo.hidden = false;
  els.signout.hidden = false;
  els.roleCreate.hidden = !isWriter();
  els.roleReadonly.hidden = isWriter();
}

function signOut() {
  saveAuth(null, null);
  els.rolesList.replaceChildren();
  els.sessionsBody.replaceChildren();
  els.reportBody.replaceChildren();
  els.report.hidden = true;
  els.loginPassword.value = "";
  error("");
  notice("");
  showLogin();
}

els.loginForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  error("");
  const email = els.loginEmail.value.trim();
  const password = els.loginPassword.value;
  if (!email || !password) {
    error("Enter your e-mail and password.");
    return;
  }
  await busy(els.loginSubmit, "Signing in…", async () => {
    try {
      const out = await api("/auth/login", { method: "POST", body: { email, password } });
      saveAuth(out.token, out.user);
      els.loginPassword.value = "";
      showDashboard();
      await refreshAll();
    } catch (err) {
      error(messageOf(err));
    }
  });
});

els.signout.addEventListener("click", signOut);

// ---------------------------------------------------------------- roles

async function loadRoles() {
  const roles = await authed("/roles");
  els.rolesList.replaceChildren(...roles.map((r) => roleItem(r)));
  els.rolesEmpty.hidden = roles.length > 0;
}

function roleItem(role, detail = null) {
  const li = h("li", { class: "role", dataset: { testid: "role-item", roleId: role.id } });
  const desc = role.description
    ? h("p", { class: "role-description", text: role.description, dataset: { testid: "role-description-text" } })
    : null;
  li.append(
    h("div", { class: "role-head" },
      h("h3", { text: role.title, dataset: { testid: "role-name" } }),
      h("span", { class: "badge", text: langLabel(role.language), dataset: { testid: "role-language-badge" } }),
      h("span", { class: "muted small", text: fmtDate(role.created_at) })),
    desc,
  );

  // Competencies and questions, fetched when first opened (the list omits them).
  const detailsBody = h("div", { class: "role-details-body", dataset: { testid: "role-details" } });
  const details = h("details", { class: "role-details" },
    h("summary", { text: "Competencies and questions", dataset: { testid: "role-details-toggle" } }),
    detailsBody);
  let loaded = false;
  const fill = (r) => {
    loaded = true;
    detailsBody.replaceChildren(...roleDetail(r));
  };
  if (detail) {
    fill(detail);
    details.open = true;
  }
  details.addEventListener("toggle", async () => {
    if (!details.open || loaded) return;
    detailsBody.replaceChildren(h("p", { class: "muted", text: "Loading…" }));
    try {
      fill(await authed(`/roles/${encodeURIComponent(role.id)}`));
    } catch (err) {
      detailsBody.replaceChildren();
      details.open = false;
      error(messageOf(err));
    }
  });
  li.append(details);

  if (isWriter()) li.append(inviteBlock(role));
  return li;
}

function roleDetail(role) {
  const out = [];
  const comps = role.competencies || [];
  const qs = role.questions || [];
  if (role.template_id) {
    out.push(h("p", { class: "muted small" }, "Based on template: ",
      h("code", { text: role.template_id })));
  }
  out.push(h("h4", { text: `Competencies (${comps.length})` }));
  out.push(h("div", { class: "table-wrap" },
    h("table", { class: "compact", dataset: { testid: "role-competencies" } },
      h("thead", {}, h("tr", {},
        h("th", { text: "Competency", attrs: { scope: "col" } }),
        h("th", { text: "Layer", attrs: { scope: "col" } }),
        h("th", { text: "Weight", class: "num", attrs: { scope: "col" } }))),
      h("tbody", {}, comps.map((c) => h("tr", { dataset: { testid: "competency-row", competencyId: c.id } },
        h("td", { text: c.name || c.id }),
        h("td", { text: String(c.layer || "").replaceAll("_", " "), class: "muted" }),
        h("td", { text: pct(c.weight, 1), class: "num" })))))));
  out.push(h("h4", { text: `Questions (${qs.length})` }));
  out.push(h("ol", { class: "questions", dataset: { testid: "role-questions" } },
    qs.map((q) => h("li", { dataset: { testid: "question-item", questionId: q.id } },
      h("span", { class: "badge subtle", text: q.kind }), " ",
      h("span", { text: q.text })))));
  return out;
}

function inviteBlock(role) {
  const rid = role.id;
  const id = (name) => `${name}-${rid}`;
  const name = h("input", { id: id("invite-name"), type: "text", maxLength: 200, required: true,
    autocomplete: "off", dataset: { testid: "invite-name" } });
  const email = h("input", { id: id("invite-email"), type: "email", maxLength: 320,
    autocomplete: "off", dataset: { testid: "invite-email" } });
  const lang = h("select", { id: id("invite-language"), dataset: { testid: "invite-language" } },
    Object.entries(LANGS).map(([v, label]) => h("option", { value: v, text: label })));
  lang.value = role.language in LANGS ? role.language : "en";
  const submit = h("button", { type: "submit", class: "button primary", text: "Create invitation",
    dataset: { testid: "invite-submit" } });
  const result = h("div", { class: "invite-result", hidden: true, dataset: { testid: "invite-result" } });

  const form = h("form", { class: "invite-form", noValidate: true, dataset: { testid: "invite-form" } },
    h("label", { htmlFor: name.id, text: "Candidate name" }), name,
    h("label", { htmlFor: email.id }, "E-mail ", h("span", { class: "muted", text: "(optional)" })), email,
    h("label", { htmlFor: lang.id, text: "Interview language" }), lang,
    submit);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error("");
    const body = { candidate_name: name.value.trim(), language: lang.value };
    if (!body.candidate_name) {
      error("Enter the candidate's name.");
      name.focus();
      return;
    }
    const mail = email.value.trim();
    if (mail) body.email = mail;
    await busy(submit, "Creating…", async () => {
      try {
        const inv = await authed(`/roles/${encodeURIComponent(rid)}/invitations`, { method: "POST", body });
        showInvite(result, inv, body.candidate_name);
        name.value = "";
        email.value = "";
        loadSessions().catch((err) => error(messageOf(err)));
      } catch (err) {
        error(messageOf(err));
      }
    });
  });

  return h("details", { class: "invite", dataset: { testid: "invite" } },
    h("summary", { text: "Invite a candidate", dataset: { testid: "invite-toggle" } }),
    form, result);
}

function showInvite(result, inv, candidate) {
  const link = h("input", { type: "text", readOnly: true, value: inv.link, class: "link",
    attrs: { "aria-label": "Interview link" }, dataset: { testid: "invite-link" } });
  link.addEventListener("focus", () => link.select());
  const copy = h("button", { type: "button", class: "button small", text: "Copy link",
    dataset: { testid: "copy-link" } });
  copy.addEventListener("click", async () => {
    const ok = await copyText(inv.link, link);
    copy.textContent = ok ? "Copied" : "Select and copy";
    setTimeout(() => (copy.textContent = "Copy link"), 2000);
  });
  result.replaceChildren(
    h("p", {}, "Send this link to ", h("strong", { text: candidate }),
      `. It works until ${fmtDate(inv.expires_at)}.`),
    h("div", { class: "copy-row" }, link, copy));
  result.hidden = false;
}

async function copyText(text, input) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall back below */
  }
  try {
    input.focus();
    input.select();
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

els.roleForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  error("");
  const body = {
    title: els.roleTitle.value.trim(),
    description: els.roleDescription.value.trim(),
    language: els.roleLanguage.value,
  };
  if (!body.title) {
    error("Enter a job title.");
    els.roleTitle.focus();
    return;
  }
  await busy(els.roleSubmit, "Creating… (building the competency model)", async () => {
    try {
      const role = await authed("/roles", { method: "POST", body });
      els.roleForm.reset();
      els.roleCreate.open = false;
      const item = roleItem(role, role);
      item.dataset.new = "true";
      els.rolesList.prepend(item);
      els.rolesEmpty.hidden = true;
      notice(`Role "${role.title}" created.`);
      item.scrollIntoView({ block: "nearest", behavior: "smooth" });
    } catch (err) {
      error(messageOf(err));
    }
  });
});

// ---------------------------------------------------------------- candidates

async function loadSessions() {
  const sessions = await authed("/sessions?limit=200");
  els.sessionsBody.replaceChildren(...sessions.map(sessionRow));
  els.sessionsEmpty.hidden = sessions.length > 0;
}

function sessionRow(s) {
  const btn = h("button", { type: "button", class: "button small", text: "Report",
    dataset: { testid: "report-button", sessionId: s.id } });
  btn.addEventListener("click", () => openReport(s.id, btn));
  const overall = s.overall === null || s.overall === undefined ? "—" : score(s.overall);
  return h("tr", { dataset: { testid: "session-row", sessionId: s.id, status: s.status } },
    h("td", { dataset: { label: "Candidate" } },
      h("span", { text: s.candidate_name, dataset: { testid: "session-candidate" } }),
      h("span", { class: "muted small block", text: fmtDate(s.created_at) })),
    h("td", { text: s.role_title, dataset: { label: "Role", testid: "session-role" } }),
    h("td", { dataset: { label: "Status" } },
      h("span", { class: "status", text: s.status, dataset: { status: s.status, testid: "session-status" } })),
    h("td", { class: "num", text: overall, dataset: { label: "Overall", testid: "session-overall" } }),
    h("td", { dataset: { label: "Integrity" } },
      s.integrity
        ? h("span", { class: "integrity", text: INTEGRITY[s.integrity] || s.integrity,
            dataset: { level: s.integrity, testid: "session-integrity" } })
        : h("span", { class: "muted", text: "—" })),
    h("td", { class: "actions-cell" }, btn));
}

els.sessionsRefresh.addEventListener("click", () =>
  busy(els.sessionsRefresh, "Refreshing…", async () => {
    error("");
    try {
      await loadSessions();
    } catch (err) {
      error(messageOf(err));
    }
  }));

// ---------------------------------------------------------------- report

async function openReport(sessionId, button) {
  error("");
  await busy(button, "Loading…", async () => {
    try {
      const rep = await authed(`/sessions/${encodeURIComponent(sessionId)}/report`);
      renderReport(rep);
      els.report.hidden = false;
      els.report.focus({ preventScroll: true });
      els.report.scrollIntoView({ block: "start", behavior: "smooth" });
    } catch (err) {
      error(messageOf(err));
    }
  });
}

function listOrNone(items, testid, cls, empty = "None") {
  if (!items || items.length === 0) return h("p", { class: "muted small", text: empty, dataset: { testid } });
  return h("ul", { class: cls, dataset: { testid } }, items.map((t) => h("li", { text: t })));
}

function levelPips(level) {
  const wrap = h("span", { class: "pips", attrs: { "aria-hidden": "true" } });
  for (let i = 1; i <= 5; i += 1) wrap.append(h("span", { class: i <= level ? "pip on" : "pip" }));
  return wrap;
}

function competencyBlock(c) {
  const notes = (c.answers || []).map((a) => a.note).filter(Boolean);
  return h("section", { class: "competency", dataset: { testid: "report-competency", competencyId: c.competency_id } },
    h("div", { class: "competency-head" },
      h("h4", { text: c.name || c.competency_id, dataset: { testid: "competency-name" } }),
      h("span", { class: "level" }, levelPips(c.level),
        h("span", { dataset: { testid: "competency-level" }, text: `Level ${c.level} / 5` }))),
    h("dl", { class: "facts" },
      h("dt", { text: "Confidence" }), h("dd", { text: pct(c.confidence), dataset: { testid: "competency-confidence" } }),
      h("dt", { text: "Weight" }), h("dd", { text: pct(c.weight, 1), dataset: { testid: "competency-weight" } }),
      h("dt", { text: "Score" }), h("dd", { text: typeof c.value === "number" ? c.value.toFixed(2) : "—" })),
    h("h5", { text: "Evidence" }),
    (c.evidence && c.evidence.length)
      ? h("ul", { class: "evidence", dataset: { testid: "evidence" } },
        c.evidence.map((e) => h("li", { dataset: { testid: "evidence-item" } },
          h("blockquote", { text: e.quote, dataset: { testid: "evidence-quote" } }),
          h("p", { class: "small muted" },
            h("span", { text: supportsLabel(e.supports), dataset: { testid: "evidence-supports" } }),
            " · question ", h("code", { text: e.question_id })))))
      : h("p", { class: "muted small", text: "No quotes.", dataset: { testid: "evidence" } }),
    h("div", { class: "indicators" },
      h("div", {},
        h("h5", { text: "Positive indicators matched" }),
        listOrNone(c.matched_positive, "matched-positive", "positive")),
      h("div", {},
        h("h5", { text: "Negative indicators matched" }),
        listOrNone(c.matched_negative, "matched-negative", "negative"))),
    notes.length ? h("ul", { class: "notes small muted" }, notes.map((n) => h("li", { text: n }))) : null);
}

const INTEGRITY = {
  not_assessed: "Not assessed",
  low: "Low: nothing stood out",
  medium: "Medium: look at the flags",
  high: "High: review before relying on the scores",
};

function span(f) {
  if (f.start_s === null || f.start_s === undefined) return "";
  const end = f.end_s !== null && f.end_s !== undefined && f.end_s > f.start_s ? `–${f.end_s.toFixed(1)}` : "";
  return ` at ${f.start_s.toFixed(1)}${end} s`;
}

// Beside the scores, never inside them: the level, why, what was checked, and each flag.
function integrityBlock(r) {
  const summary = r.integrity_summary;
  const flags = r.integrity_flags || [];
  return h("section", { class: "integrity-box", dataset: { testid: "report-integrity", level: r.integrity || "not_assessed" } },
    h("h3", { text: "Integrity (for human review; does not change any score)" }),
    h("p", {},
      h("span", { class: "integrity", text: INTEGRITY[r.integrity] || r.integrity || "Not assessed",
        dataset: { level: r.integrity || "not_assessed", testid: "report-integrity-level" } }),
      summary ? h("span", { class: "muted small", text: ` · ${summary.reason}` }) : null),
    summary && summary.checks && summary.checks.length
      ? h("p", { class: "small muted", text: `Checked: ${summary.checks.join(", ").replaceAll("_", " ")}` })
      : null,
    h("ul", { class: "plain", dataset: { testid: "report-integrity-flags" } },
      flags.length
        ? flags.map((f) => h("li", { dataset: { kind: f.kind, severity: f.severity } },
            h("strong", { text: `${f.kind.replaceAll("_", " ")} (${f.severity})` }),
            h("span", { class: "muted", text: `${f.question_id ? ` · ${f.question_id}` : ""}${span(f)}` }),
            h("span", { class: "block small", text: f.note })))
        : [h("li", { class: "muted", text: "No flags" })]));
}

function renderReport(r) {
  const p = r.provenance || {};
  const names = new Map((r.competencies || []).map((c) => [c.competency_id, c.name]));
  const unanswered = (r.unanswered || []).map((qid) => {
    const prefix = String(qid).split(":")[0];
    const comp = names.get(prefix) || prefix.replaceAll("_", " ");
    return comp && comp !== String(qid) ? `${qid} (${comp})` : String(qid);
  });
  const models = Object.entries(p.models || {}).map(([task, m]) => `${task}: ${m}`).join(", ");

  els.reportBody.replaceChildren(...[
    h("p", { class: "report-who" },
      h("strong", { text: r.candidate_name, dataset: { testid: "report-candidate" } }),
      " · ", h("span", { text: r.role_title, dataset: { testid: "report-role" } }),
      " · ", h("span", { text: langLabel(r.language) })),
    h("div", { class: "overall" },
      h("div", { class: "overall-score" },
        h("span", { id: "report-overall", text: score(r.overall), dataset: { testid: "report-overall" } }),
        h("span", { class: "muted", text: " / 100" })),
      h("span", { id: "report-band", class: "band", text: BANDS[r.band] || r.band,
        dataset: { testid: "report-band", band: r.band } })),
    typeof r.coverage === "number"
      ? h("p", { class: "small", id: "report-coverage",
          text: `Answered competencies carry ${Math.round(r.coverage * 100)}% of the role's weight; the score covers those only.` })
      : null,
    h("p", { class: "small muted" },
      "AI-assisted assessment: a person reviews it and makes any decision. The candidate never sees it."),
    integrityBlock(r),
    h("h3", { text: "Competencies" }),
    h("div", { id: "report-competencies", dataset: { testid: "report-competencies" } },
      (r.competencies || []).map(competencyBlock)),
    h("h3", { text: "How the score is made" }),
    h("ul", { id: "report-contributions", class: "plain", dataset: { testid: "report-contributions" } },
      (r.contributions || []).map((c) => h("li", {
        text: `${MODALITIES[c.modality] || c.modality}: ${score(c.score)} × ${Math.round(c.weight * 100)}% = ${score(c.points)}`,
      }))),
    h("h3", { text: "Highlights" }),
    h("ul", { id: "report-highlights", class: "plain", dataset: { testid: "report-highlights" } },
      (r.highlights || []).length
        ? r.highlights.map((x) => h("li", {}, h("strong", { text: `${x.text}: ` }), h("q", { text: x.quote })))
        : [h("li", { class: "muted", text: "None" })]),
    h("h3", { text: "Risks to review" }),
    h("ul", { id: "report-risks", class: "plain", dataset: { testid: "report-risks" } },
      (r.risks || []).length
        ? r.risks.map((x) => h("li", {}, h("span", { class: "muted", text: `${x.kind.replace("_", " ")}: ` }),
            h("span", { text: x.text }), x.quote ? h("q", { text: ` ${x.quote}` }) : null))
        : [h("li", { class: "muted", text: "None" })]),
    h("h3", { text: "Unanswered questions" }),
    h("div", { id: "report-unanswered" },
      listOrNone(unanswered, "report-unanswered", "plain", "None: every question was answered.")),
    h("h3", { text: "Provenance" }),
    h("dl", { id: "report-provenance", class: "facts provenance", dataset: { testid: "report-provenance" } },
      h("dt", { text: "Package version" }), h("dd", { text: p.package_version || "—", dataset: { testid: "prov-package" } }),
      h("dt", { text: "Competency library" }), h("dd", { text: p.library_version || "—" }),
      h("dt", { text: "Competency model version" }), h("dd", { text: p.competency_model_version ?? "—" }),
      h("dt", { text: "Models" }), h("dd", { text: models || "—", dataset: { testid: "prov-models" } }),
      h("dt", { text: "Settings hash" }), h("dd", {}, h("code", { text: p.settings_hash || "—", dataset: { testid: "prov-settings-hash" } })),
      h("dt", { text: "Scored at" }), h("dd", { text: fmtDate(p.scored_at) || "—" })),
  ].filter((x) => x !== null && x !== undefined && x !== false));
}

els.reportClose.addEventListener("click", () => {
  els.report.hidden = true;
  els.reportBody.replaceChildren();
});

// ---------------------------------------------------------------- start

async function refreshAll() {
  const results = await Promise.allSettled([loadRoles(), loadSessions()]);
  const failed = results.find((r) => r.status === "rejected");
  if (failed && state.token) error(messageOf(failed.reason));
}

async function start() {
  const { token, user } = loadAuth();
  if (!token) {
    showLogin();
    return;
  }
  state.token = token;
  state.user = user;
  try {
    const me = await authed("/auth/me");
    saveAuth(token, me);
  } catch (err) {
    if (!state.token) return; // 401: already back at the sign-in form
    error(messageOf(err));
  }
  showDashboard();
  await refreshAll();
}

start();

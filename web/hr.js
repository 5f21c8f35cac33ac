// HR dashboard: sign in; home (roles and the candidate progress list with filters, sort,
// search, pages, CSV export and each interview's progress, refreshed on its own until every
// row is final); role setup; reports; compare; fairness; users and settings
// (admins). Pages are chosen by the URL hash. Every string from the server goes into the page
// through textContent (h() in api.js).

import { api, busy, h } from "./api.js";
import { passwordForm, resetButton } from "./hr-account.js";
import {
  $, authed, authedRaw, copyRow, download, error, field, fill, fmtDate, isAdmin, isWriter, messageOf, notice,
  roles, score, select, setUnauthorizedHandler, state,
} from "./hr-common.js";
import { applyStatic, getLang, setLang, t } from "./hr-i18n.js";
import { showReport } from "./hr-report.js";
import { personaEditor, roleItem, showRole } from "./hr-roles.js";

const TOKEN_KEY = "interview.hr.token";
const USER_KEY = "interview.hr.user";
const PAGE = 20;
const POLL_MS = 4000; // how often the list refreshes the progress of its unfinished rows
const VIEWS = ["view-home", "view-role", "report", "view-compare", "view-fairness", "view-users", "view-settings", "view-account", "view-denied"];
const list = { offset: 0, total: 0, poll: 0, generation: 0 };

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
    return { token: sessionStorage.getItem(TOKEN_KEY), user: JSON.parse(sessionStorage.getItem(USER_KEY) || "null") };
  } catch {
    return { token: null, user: null };
  }
}

function showLogin() {
  $("dashboard").hidden = true;
  $("user-info").hidden = true;
  $("account-link").hidden = true;
  $("signout").hidden = true;
  $("nav").hidden = true;
  $("login").hidden = false;
  $("login-email").focus();
}

function showDashboard() {
  $("login").hidden = true;
  $("dashboard").hidden = false;
  $("nav").hidden = false;
  const u = state.user || {};
  $("user-info").textContent = u.name ? `${u.name} · ${t(`role.${u.role}`)}` : u.email || "";
  $("user-info").hidden = false;
  $("account-link").hidden = false;
  $("signout").hidden = false;
  $("role-create").hidden = !isWriter();
  $("role-readonly").hidden = isWriter();
  for (const a of document.querySelectorAll("[data-admin]")) a.hidden = !isAdmin();
}

function signOut() {
  saveAuth(null, null);
  state.rolesLoaded = false;
  $("roles-list").replaceChildren();
  $("sessions-body").replaceChildren();
  $("report-body").replaceChildren();
  $("login-password").value = "";
  error("");
  notice("");
  showLogin();
}
setUnauthorizedHandler(signOut);

$("login-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  error("");
  const email = $("login-email").value.trim();
  const password = $("login-password").value;
  if (!email || !password) {
    error(t("login.missing"));
    return;
  }
  await busy($("login-submit"), t("login.busy"), async () => {
    try {
      const out = await api("/auth/login", { method: "POST", body: { email, password } });
      saveAuth(out.token, out.user);
      $("login-password").value = "";
      await enter();
    } catch (err) {
      error(messageOf(err));
    }
  });
});
// Signing out ends the token on the server too (a copied token stops working), then locally
// whatever the server said: a network error must not keep the user signed in on this page.
$("signout").addEventListener("click", async () => {
  if (state.token) {
    try {
      await authed("/auth/logout", { method: "POST" });
    } catch {
      // already invalid or unreachable: the local sign-out below still happens
    }
  }
  signOut();
});

// ---------------------------------------------------------------- routing

function show(view) {
  for (const id of VIEWS) $(id).hidden = id !== view;
  for (const a of document.querySelectorAll("#nav a")) {
    a.classList.toggle("active", a.dataset.route === view.replace("view-", ""));
  }
  window.scrollTo({ top: 0 });
}

function denied() {
  show("view-denied");
}

async function route() {
  if (!state.token) return;
  error("");
  const [, page, arg] = (location.hash.replace(/^#\/?/, "/").split("/"));
  try {
    if (page === "role" && arg) {
      show("view-role");
      await showRole($("role-body"), decodeURIComponent(arg));
    } else if (page === "report" && arg) {
      show("report");
      $("report-body").replaceChildren(h("p", { class: "muted", text: t("common.loading") }));
      await showReport($("report-body"), decodeURIComponent(arg));
      $("report").focus({ preventScroll: true });
    } else if (page === "compare") {
      show("view-compare");
      await showCompare(arg ? decodeURIComponent(arg) : "");
    } else if (page === "fairness") {
      show("view-fairness");
      await showFairness(arg ? decodeURIComponent(arg) : "");
    } else if (page === "users") {
      if (!isAdmin()) return denied();
      show("view-users");
      await showUsers();
    } else if (page === "account") {
      show("view-account");
      $("account-body").replaceChildren(passwordForm((out) => saveAuth(out.token, out.user)));
    } else if (page === "settings") {
      if (!isAdmin()) return denied();
      show("view-settings");
      await showSettings();
    } else {
      show("view-home");
      await refreshHome();
    }
  } catch (err) {
    if (err && err.status === 403) denied();
    error(messageOf(err));
  }
}
window.addEventListener("hashchange", route);

// ---------------------------------------------------------------- home: roles

async function loadRoles() {
  const rs = await roles(true);
  $("roles-list").replaceChildren(...rs.map((r) => roleItem(r, { onInvited: () => loadSessions().catch((e) => error(messageOf(e))) })));
  $("roles-empty").hidden = rs.length > 0;
  fillRoleFilter(rs);
}

$("role-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  error("");
  const body = {
    title: $("role-title").value.trim(),
    description: $("role-description").value.trim(),
    language: $("role-language").value,
  };
  if (!body.title) {
    error(t("roles.need_title"));
    $("role-title").focus();
    return;
  }
  await busy($("role-submit"), t("roles.creating"), async () => {
    try {
      const role = await authed("/roles", { method: "POST", body });
      $("role-form").reset();
      $("role-create").open = false;
      state.rolesLoaded = false;
      notice(t("roles.created", { title: role.title }));
      location.hash = `#/role/${role.id}`;
    } catch (err) {
      error(messageOf(err));
    }
  });
});

// ---------------------------------------------------------------- home: candidates

function fillRoleFilter(rs) {
  const sel = $("filter-role");
  const keep = sel.value;
  sel.replaceChildren(h("option", { value: "", text: t("filter.all_roles") }),
    ...rs.map((r) => h("option", { value: r.id, text: r.title })));
  sel.value = rs.some((r) => r.id === keep) ? keep : "";
}

function filters() {
  const p = new URLSearchParams();
  for (const [key, id] of [["role_id", "filter-role"], ["status", "filter-status"], ["band", "filter-band"],
    ["integrity", "filter-integrity"], ["review_request", "filter-review-request"], ["q", "filter-search"],
    ["sort", "filter-sort"]]) {
    const v = $(id).value.trim();
    if (v) p.set(key, v);
  }
  if ($("filter-mine").checked && state.user) p.set("reviewer_id", state.user.id);
  return p;
}

async function loadSessions() {
  const p = filters();
  p.set("limit", String(PAGE));
  p.set("offset", String(list.offset));
  const res = await authedRaw(`/sessions?${p}`);
  const sessions = await res.json();
  list.total = Number(res.headers.get("X-Total-Count") || sessions.length);
  list.generation += 1; // a poll started for the rows shown before is dropped
  $("sessions-body").replaceChildren(...sessions.map(sessionRow));
  $("sessions-empty").hidden = sessions.length > 0;
  schedulePoll();
  const pages = Math.max(1, Math.ceil(list.total / PAGE));
  const page = Math.floor(list.offset / PAGE) + 1;
  $("page-info").textContent = t("list.page", { page, pages, total: list.total });
  $("page-prev").disabled = list.offset <= 0;
  $("page-next").disabled = list.offset + PAGE >= list.total;
}

function sessionRow(s) {
  const btn = h("a", { class: "button small", href: `#/report/${s.id}`, text: t("list.report"),
    dataset: { testid: "report-button", sessionId: s.id } });
  const scored = s.status === "scored" || s.status === "manual" || s.status === "reviewed";
  const status = s.expired ? "expired" : s.status;
  const p = s.progress || { state: "", final: true };
  return h("tr", { dataset: { testid: "session-row", sessionId: s.id, status: s.status,
    progress: progressKey(s), final: String(p.final) } },
    h("td", { dataset: { label: t("list.candidate") } },
      h("span", { text: s.candidate_name, dataset: { testid: "session-candidate" } }),
      h("span", { class: "muted small block", text: [s.email, fmtDate(s.created_at)].filter(Boolean).join(" · ") })),
    h("td", { text: s.role_title, dataset: { label: t("list.role"), testid: "session-role" } }),
    h("td", { dataset: { label: t("list.status") } },
      h("span", { class: "status", text: t(`status.${status}`), dataset: { status, testid: "session-status" } }),
      s.decision ? h("span", { class: "muted small block", text: t(`decision.${s.decision}`), dataset: { testid: "session-decision" } }) : null,
      s.reviewer_name ? h("span", { class: "muted small block", text: t("list.reviewer", { name: s.reviewer_name }) }) : null,
      // The candidate asked for a human review: open until a person answers it.
      s.review_request
        ? h("span", { class: "badge review-request", text: t(`rr.badge_${s.review_request}`),
            attrs: { title: t(`rr.badge_hint_${s.review_request}`) },
            dataset: { testid: "session-review-request", state: s.review_request } })
        : null),
    h("td", { dataset: { label: t("progress.col"), testid: "session-progress", state: p.state } },
      s.progress ? progressCell(s) : h("span", { class: "muted", text: "—" })),
    h("td", { class: "num", dataset: { label: t("list.overall"), testid: "session-overall" } },
      // The number the report leads with: after review when a reviewer changed a level.
      s.overall === null || s.overall === undefined ? "—" : score(s.overridden && typeof s.reviewed_overall === "number" ? s.reviewed_overall : s.overall),
      s.overridden ? h("span", { class: "muted small block", dataset: { testid: "session-overall-ai" },
        text: t("list.overridden_from", { score: score(s.overall) }) }) : null),
    h("td", { dataset: { label: t("list.band") } },
      shownBand(s) ? h("span", { class: "band", text: t(`band.${shownBand(s)}`), dataset: { band: shownBand(s), testid: "session-band" } }) : h("span", { class: "muted", text: "—" })),
    // How much needs a person's look (integrity flags), not a verdict on honesty.
    h("td", { dataset: { label: t("look.col") } },
      s.integrity
        ? h("span", { class: "integrity", text: t(`look.short.${s.integrity}`), attrs: { title: t("look.hint") }, dataset: { level: s.integrity, testid: "session-integrity" } })
        : h("span", { class: "muted", text: "—" })),
    h("td", { class: "actions-cell" }, scored ? btn : s.status === "invited" && isWriter() ? renewButton(s) : null));
}

/** What changes the progress cell: a row is drawn again only when this changes. */
function progressKey(s) {
  const p = s.progress || {};
  return `${s.status}:${p.state}:${p.processed}/${p.recordings}:${p.retrying}`;
}

/** How far the interview has got: answering, perceiving its recordings, scoring, the report. */
function progressCell(s) {
  const p = s.progress;
  const counts = { k: p.processed, n: p.recordings };
  const line = (text, cls = "") => h("span", { class: `progress-state ${cls}`.trim(), text });
  const hint = (text) => h("span", { class: "muted small block", text });
  switch (p.state) {
    case "invited":
      return line(t("progress.not_started"), "muted");
    case "answering":
      return [line(t("progress.answering"), "busy"), p.recordings ? hint(t("progress.processed", counts)) : null];
    case "processing":
      return [line(t("progress.processing", counts), "busy"), meter(p)];
    case "scoring":
      return [line(t("progress.scoring"), "busy"), p.retrying ? hint(t("progress.retrying")) : null];
    case "failed":
      return [line(t("progress.failed"), "bad"),
        isWriter() ? scoreAgainButton(s) : hint(t("progress.failed_ask"))];
    default: // ready: the report, or the answers for a person to assess
      return h("a", { class: "progress-state good", href: `#/report/${s.id}`,
        text: t(s.status === "manual" ? "progress.ready_person" : "progress.ready"),
        dataset: { testid: "progress-report-link" } });
  }
}

function meter(p) {
  return h("progress", { max: Math.max(1, p.recordings), value: p.processed, class: "block",
    attrs: { "aria-label": t("progress.processed", { k: p.processed, n: p.recordings }) } });
}

/** Scoring gave up after its retries: a writer may queue it once more. */
// The band the report leads with: after review when a reviewer changed a level.
function shownBand(s) {
  return s.overridden && s.reviewed_band ? s.reviewed_band : s.band;
}

function scoreAgainButton(s) {
  const b = h("button", { type: "button", class: "button small", text: t("progress.score_again"),
    dataset: { testid: "score-again" }, attrs: { title: t("progress.score_again_hint") } });
  b.addEventListener("click", () => busy(b, t("common.working"), async () => {
    try {
      await authed(`/sessions/${encodeURIComponent(s.id)}/scoring`, { method: "POST" });
      notice(t("progress.score_again_done"));
      await loadSessions();
    } catch (err) {
      error(messageOf(err));
    }
  }));
  return b;
}

// While any row shown is not final (answering, processing, scoring), ask the server for just
// those rows every few seconds and draw again the ones whose progress changed, so the report
// link appears without a reload. Stops when every row is final or the list is left.
function schedulePoll() {
  clearTimeout(list.poll);
  const open = [...$("sessions-body").querySelectorAll("tr[data-final='false']")];
  if (open.length) list.poll = setTimeout(pollProgress, POLL_MS);
}

async function pollProgress() {
  if ($("view-home").hidden || !state.token) return; // back to the list starts it again
  if (document.hidden) { // no work while nobody looks; try again later
    schedulePoll();
    return;
  }
  const generation = list.generation;
  const rows = new Map([...$("sessions-body").querySelectorAll("tr[data-final='false']")]
    .map((tr) => [tr.dataset.sessionId, tr]));
  if (!rows.size) return;
  const p = new URLSearchParams();
  for (const id of rows.keys()) p.append("ids", id);
  p.set("limit", String(rows.size));
  try {
    const fresh = await authed(`/sessions?${p}`);
    if (generation !== list.generation) return; // the list was drawn again meanwhile
    for (const s of fresh) {
      const tr = rows.get(s.id);
      if (tr && tr.isConnected && tr.dataset.progress !== progressKey(s)) tr.replaceWith(sessionRow(s));
    }
  } catch {
    if (!state.token) return; // signed out
    // a failed refresh is tried again at the next tick; the Refresh button says more
  }
  if (generation === list.generation) schedulePoll();
}

/** A fresh link for an invitation not yet started (the old link stops working). */
function renewButton(s) {
  const b = h("button", { type: "button", class: "button small", text: t("list.new_link"),
    dataset: { testid: "renew-link" }, attrs: { title: t("list.new_link_hint") } });
  b.addEventListener("click", () => busy(b, t("common.creating"), async () => {
    try {
      const inv = await authed(`/sessions/${encodeURIComponent(s.id)}/invitation`, { method: "POST", body: { expires_days: 14 } });
      b.closest("td").replaceChildren(copyRow(inv.link));
      notice(t("list.new_link_done", { date: fmtDate(inv.expires_at) }));
    } catch (err) {
      error(messageOf(err));
    }
  }));
  return b;
}

async function reloadList(reset = true) {
  if (reset) list.offset = 0;
  try {
    await loadSessions();
  } catch (err) {
    error(messageOf(err));
  }
}

for (const id of ["filter-role", "filter-status", "filter-band", "filter-integrity", "filter-review-request", "filter-sort", "filter-mine"]) {
  $(id).addEventListener("change", () => reloadList());
}
let searchTimer = 0;
$("filter-search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => reloadList(), 300);
});
$("page-prev").addEventListener("click", () => {
  list.offset = Math.max(0, list.offset - PAGE);
  reloadList(false);
});
$("page-next").addEventListener("click", () => {
  list.offset += PAGE;
  reloadList(false);
});
for (const th of document.querySelectorAll("th[data-sort]")) {
  const button = h("button", { type: "button", class: "sort", text: th.textContent });
  th.replaceChildren(button);
  button.addEventListener("click", () => {
    const key = th.dataset.sort;
    const cur = $("filter-sort").value;
    $("filter-sort").value = cur === `-${key}` ? key : `-${key}`;
    reloadList();
  });
}
$("sessions-refresh").addEventListener("click", () =>
  busy($("sessions-refresh"), t("list.refreshing"), () => reloadList(false)));
$("sessions-export").addEventListener("click", () =>
  busy($("sessions-export"), t("common.preparing"), () =>
    download(`/sessions.csv?${filters()}`, "candidates.csv").catch((err) => error(messageOf(err)))));

async function refreshHome() {
  const results = await Promise.allSettled([loadRoles(), loadSessions()]);
  const failed = results.find((r) => r.status === "rejected");
  if (failed && state.token) error(messageOf(failed.reason));
}

// ---------------------------------------------------------------- compare and fairness

async function rolePicker(host, current, route) {
  const rs = await roles();
  const pick = select([["", t("filter.choose_role")], ...rs.map((r) => [r.id, r.title])], current, { dataset: { testid: "role-picker" } });
  pick.addEventListener("change", () => {
    location.hash = `#/${route}/${pick.value}`;
  });
  host.replaceChildren(field(t("list.role"), pick));
  return rs.find((r) => r.id === current) || null;
}

async function showCompare(roleId) {
  const role = await rolePicker($("compare-pick"), roleId, "compare");
  const out = $("compare-body");
  if (!role) {
    out.replaceChildren(h("p", { class: "muted", text: t("compare.pick") }));
    return;
  }
  const c = await authed(`/roles/${encodeURIComponent(role.id)}/compare`);
  if (!c.rows.length) {
    out.replaceChildren(h("p", { class: "muted", text: t("compare.none"), dataset: { testid: "compare-empty" } }));
    return;
  }
  out.replaceChildren(h("div", { class: "table-wrap" }, h("table", { class: "compare", dataset: { testid: "compare-table" } },
    // Two header rows: the competencies (one of them may be "Integrity") sit under their own
    // heading, apart from "Needs a look" (integrity flags), so no two columns read alike.
    h("thead", {}, h("tr", {},
      h("th", { text: t("list.candidate"), rowSpan: 2 }), h("th", { class: "num", text: t("list.overall"), rowSpan: 2 }),
      h("th", { class: "num", text: t("compare.after_review"), rowSpan: 2 }), h("th", { text: t("list.band"), rowSpan: 2 }),
      h("th", { text: t("look.col"), rowSpan: 2, attrs: { title: t("look.hint") }, dataset: { testid: "compare-look-col" } }),
      h("th", { text: t("review.decision"), rowSpan: 2 }),
      h("th", { class: "comp-group", text: t("compare.levels"), colSpan: c.competencies.length, dataset: { testid: "compare-levels-col" } })),
    h("tr", {},
      ...c.competencies.map(([id, name]) => h("th", { class: "num", text: name, attrs: { title: id }, dataset: { testid: "compare-competency-col" } })))),
    h("tbody", {}, c.rows.map((r) => h("tr", { dataset: { testid: "compare-row", sessionId: r.session_id } },
      h("td", {}, h("a", { href: `#/report/${r.session_id}`, text: r.candidate_name })),
      h("td", { class: "num", text: score(r.overall) }),
      h("td", { class: "num", text: score(r.reviewed_overall) }),
      h("td", {}, h("span", { class: "band", text: t(`band.${r.reviewed_band}`), dataset: { band: r.reviewed_band } })),
      h("td", {}, h("span", { class: "integrity", text: t(`look.short.${r.integrity}`), dataset: { level: r.integrity, testid: "compare-integrity" } })),
      h("td", { text: r.decision ? t(`decision.${r.decision}`) : "—" }),
      ...c.competencies.map(([id]) => {
        const level = r.levels[id];
        const changed = r.overridden.includes(id);
        return h("td", { class: `num level-cell${changed ? " changed" : ""}`, dataset: { testid: "compare-level", competencyId: id },
          text: level === undefined ? "—" : `${level}${changed ? " ✎" : ""}`,
          attrs: changed ? { title: t("compare.changed") } : {} });
      })))))),
  h("p", { class: "small muted", text: t("compare.note") }));
}

function fairnessNote(f) {
  const shown = f.groups.filter((g) => !g.suppressed);
  if (shown.length < 2) return t("fair.note_few", { n: f.min_group });
  if (!f.reference_group) return t("fair.note_none");
  return f.warning ? t("fair.note_low") : t("fair.note_ok");
}

// Why the table is empty: the voluntary group question is off (admins get the way to Settings),
// or on with too few answers for any group to be shown.
function fairnessState(f, org) {
  if (!((org && org.self_report_groups) || []).length) {
    return h("p", { class: "notice-inline fairness-state", dataset: { testid: "fairness-off" } }, t("fair.off"), " ",
      isAdmin() ? h("a", { href: "#/settings", text: t("fair.off_link"), dataset: { testid: "fairness-settings-link" } })
        : t("fair.off_ask"));
  }
  if (f.groups.filter((g) => !g.suppressed).length < 2) {
    return h("p", { class: "notice-inline fairness-state", text: t("fair.few_answers", { n: f.min_group }), dataset: { testid: "fairness-few" } });
  }
  return null;
}

async function showFairness(roleId) {
  const role = await rolePicker($("fairness-pick"), roleId, "fairness");
  const out = $("fairness-body");
  if (!role) {
    out.replaceChildren(h("p", { class: "muted", text: t("compare.pick") }));
    return;
  }
  const basis = select([["recommendation", t("fair.basis_rec")], ["decision", t("fair.basis_dec")]], $("fairness-body").dataset.basis || "recommendation",
    { dataset: { testid: "fairness-basis" } });
  const draw = async () => {
    out.dataset.basis = basis.value;
    const f = await authed(`/roles/${encodeURIComponent(role.id)}/fairness?basis=${basis.value}`);
    const rows = f.groups.map((g) => h("tr", { dataset: { testid: "fairness-row", group: g.group, suppressed: String(g.suppressed) } },
      h("td", { text: g.group }),
      ...(g.suppressed
        ? [h("td", { colSpan: 4, class: "muted", text: t("fair.suppressed", { n: f.min_group }) })]
        : [h("td", { class: "num", text: String(g.candidates) }),
          h("td", { class: "num", text: String(g.selected) }),
          h("td", { class: "num", text: `${(g.rate * 100).toFixed(1)}%` }),
          h("td", { class: `num${g.below_four_fifths ? " bad" : ""}`, dataset: { testid: "fairness-ratio" },
            text: g.impact_ratio === null ? "—" : g.impact_ratio.toFixed(2) })])));
    fill(body,
      fairnessState(f, org),
      f.warning ? h("p", { class: "error", text: t("fair.warning"), dataset: { testid: "fairness-warning" } }) : null,
      h("div", { class: "table-wrap" }, h("table", { dataset: { testid: "fairness-table" } },
        h("thead", {}, h("tr", {}, h("th", { text: t("fair.group") }), h("th", { class: "num", text: t("fair.candidates") }),
          h("th", { class: "num", text: t("fair.selected") }), h("th", { class: "num", text: t("fair.rate") }),
          h("th", { class: "num", text: t("fair.ratio") }))),
        h("tbody", {}, rows.length ? rows : [h("tr", {}, h("td", { colSpan: 5, class: "muted", text: t("fair.no_groups") }))]))),
      h("p", { class: "small", text: `${t("fair.not_reported", { n: f.not_reported })} ${t("fair.suppression", { n: f.min_group })}`,
        dataset: { testid: "fairness-suppression" } }),
      h("p", { class: "small muted", text: fairnessNote(f) }));
  };
  const org = await authed("/organization").catch(() => state.org);
  const body = h("div", {});
  basis.addEventListener("change", () => draw().catch((err) => error(messageOf(err))));
  out.replaceChildren(field(t("fair.basis"), basis), body,
    h("p", { class: "small muted", text: t("fair.explain") }));
  await draw();
}

// ---------------------------------------------------------------- users and settings (admins)

const ROLES = ["admin", "recruiter", "reviewer", "hiring_manager"];

async function showUsers() {
  const users = await authed("/users");
  const rows = users.map((u) => {
    const role = select(ROLES.map((r) => [r, t(`role.${r}`)]), u.role, { dataset: { testid: "user-role" } });
    const active = h("input", { type: "checkbox", checked: u.active, dataset: { testid: "user-active" } });
    const save = async (body) => {
      try {
        await authed(`/users/${encodeURIComponent(u.id)}`, { method: "PATCH", body });
        notice(t("users.saved"));
      } catch (err) {
        error(messageOf(err));
        await showUsers();
      }
    };
    role.addEventListener("change", () => save({ role: role.value }));
    active.addEventListener("change", () => save({ active: active.checked }));
    return h("tr", { dataset: { testid: "user-row", email: u.email } },
      h("td", { text: u.name }), h("td", { text: u.email }), h("td", {}, role),
      h("td", {}, h("label", { class: "check small" }, active, h("span", { text: t("users.active") }))),
      h("td", {}, state.user && u.id === state.user.id ? null : resetButton(u)));
  });
  const name = h("input", { type: "text", maxLength: 200 });
  const email = h("input", { type: "email", maxLength: 320 });
  const role = select(ROLES.map((r) => [r, t(`role.${r}`)]), "reviewer");
  const password = h("input", { type: "password", minLength: 12, maxLength: 128, autocomplete: "new-password" });
  const submit = h("button", { type: "submit", class: "button primary", text: t("users.add") });
  const form = h("form", { class: "invite-form", noValidate: true, dataset: { testid: "user-form" } },
    h("div", { class: "row" }, field(t("users.name"), name), field(t("users.email"), email)),
    h("div", { class: "row" }, field(t("users.role"), role), field(t("users.password"), password, t("users.password_hint"))), submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    await busy(submit, t("common.saving"), async () => {
      try {
        await authed("/users", { method: "POST", body: { name: name.value.trim(), email: email.value.trim(), role: role.value, password: password.value } });
        notice(t("users.added"));
        await showUsers();
      } catch (err) {
        error(messageOf(err));
      }
    });
  });
  $("users-body").replaceChildren(
    h("div", { class: "table-wrap" }, h("table", { dataset: { testid: "users-table" } },
      h("thead", {}, h("tr", {}, h("th", { text: t("users.name") }), h("th", { text: t("users.email") }),
        h("th", { text: t("users.role") }), h("th", { text: t("users.status") }), h("th", { text: t("users.password_col") }))),
      h("tbody", {}, rows))),
    h("h3", { text: t("users.add_title") }), form);
}

async function showSettings() {
  const org = await authed("/organization");
  state.org = org;
  const groups = h("textarea", { rows: 5, value: (org.self_report_groups || []).join("\n"), dataset: { testid: "groups-input" } });
  const saveGroups = h("button", { type: "button", class: "button small primary", text: t("common.save"), dataset: { testid: "save-groups" } });
  saveGroups.addEventListener("click", () => busy(saveGroups, t("common.saving"), async () => {
    const list = groups.value.split("\n").map((g) => g.trim()).filter(Boolean);
    try {
      state.org = await authed("/organization/self-report-groups", { method: "PUT", body: { groups: list } });
      notice(t("settings.groups_saved"));
    } catch (err) {
      error(messageOf(err));
    }
  }));
  $("settings-body").replaceChildren(
    h("p", {}, h("strong", { text: org.name })),
    h("p", { class: "small", dataset: { testid: "mail-status" }, text: org.mail_configured ? t("settings.mail_on") : t("settings.mail_off") }),
    personaEditor(org.persona, {
      title: t("persona.org_title"),
      onSave: async (body) => {
        state.org = await authed("/organization/persona", { method: "PUT", body });
      },
    }),
    h("section", { class: "setup-block", dataset: { testid: "groups-editor" } },
      h("h3", { text: t("settings.groups_title") }),
      h("p", { class: "small muted", text: t("settings.groups_help") }),
      field(t("settings.groups_label"), groups), saveGroups));
}

// ---------------------------------------------------------------- language and start

function applyLanguage() {
  state.lang = getLang();
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  $("lang-switch").value = state.lang;
  applyStatic(document);
}

$("lang-switch").addEventListener("change", async () => {
  setLang($("lang-switch").value);
  notice(""); // a message shown in the other language would stay untranslated
  applyLanguage();
  if (state.token) {
    showDashboard();
    await route();
  }
});

async function enter() {
  state.org = await authed("/organization").catch(() => null);
  showDashboard();
  await route();
}

async function start() {
  applyLanguage();
  const { token, user } = loadAuth();
  if (!token) {
    showLogin();
    return;
  }
  state.token = token;
  state.user = user;
  try {
    saveAuth(token, await authed("/auth/me"));
  } catch (err) {
    if (!state.token) return; // 401: already back at the sign-in form
    error(messageOf(err));
  }
  await enter();
}

start();

// Shared state and helpers of the HR dashboard: the signed-in user, API calls with the token,
// messages, formatting and file downloads. Server text reaches the page only as textContent.

import { api, ApiError, API, h, showError } from "./api.js";
import { t } from "./hr-i18n.js";

export const state = { token: null, user: null, org: null, roles: [], lang: "en" };
export const WRITERS = new Set(["admin", "recruiter"]);

export const $ = (id) => document.getElementById(id);

export function isWriter() {
  return !!state.user && WRITERS.has(state.user.role);
}

export function isAdmin() {
  return !!state.user && state.user.role === "admin";
}

// ---------------------------------------------------------------- messages

export function error(message) {
  showError($("error"), message);
  if (message) $("notice").hidden = true;
}

let noticeTimer = 0;
export function notice(message) {
  clearTimeout(noticeTimer);
  const el = $("notice");
  el.textContent = message || "";
  el.hidden = !message;
  if (message) noticeTimer = setTimeout(() => (el.hidden = true), 6000);
}

export function messageOf(err) {
  if (err instanceof ApiError && err.status === 0) return t("msg.offline");
  return (err && err.message) || String(err);
}

// ---------------------------------------------------------------- calls

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/** Call the API as the signed-in user; a 401 returns to the sign-in form. */
export async function authed(path, opts = {}) {
  try {
    return await api(path, { ...opts, token: state.token });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      onUnauthorized();
      error(`${t("msg.signin_again")} ${err.message}`);
    }
    throw err;
  }
}

/** Fetch a response with the token and return it raw (headers, blobs); errors as ApiError. */
export async function authedRaw(path, { method = "GET", body, contentType } = {}) {
  const headers = { Authorization: `Bearer ${state.token}` };
  if (contentType) headers["Content-Type"] = contentType;
  let res;
  try {
    res = await fetch(API + path, { method, headers, body, cache: "no-store" });
  } catch {
    throw new ApiError(0, "NetworkError", "");
  }
  if (!res.ok) {
    let message = `${res.status} ${res.statusText || "error"}`;
    let code = `HTTP${res.status}`;
    try {
      const data = await res.json();
      if (data && data.error) ({ message, code } = data.error);
    } catch {
      /* not JSON */
    }
    if (res.status === 401) onUnauthorized();
    throw new ApiError(res.status, code, message);
  }
  return res;
}

/** Download what `path` returns as a file named by the server (Content-Disposition). */
export async function download(path, fallbackName) {
  const res = await authedRaw(path);
  const blob = await res.blob();
  const cd = res.headers.get("Content-Disposition") || "";
  const m = /filename="([^"]+)"/.exec(cd);
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: (m && m[1]) || fallbackName });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// ---------------------------------------------------------------- formatting

export function fmtDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

export function pct(x, digits = 0) {
  return typeof x === "number" ? `${(x * 100).toFixed(digits)}%` : "—";
}

export function score(x) {
  return typeof x === "number" ? x.toFixed(1) : "—";
}

export function clock(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "";
  const s = Math.max(0, seconds);
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(1).padStart(4, "0")}`;
}

export function langLabel(code) {
  return code === "zh" ? "中文" : code === "en" ? "English" : String(code || "");
}

/** Replace `node`'s children, skipping null, undefined and false (which the DOM would print). */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** A <select> of options [[value, label], ...] with `value` chosen. */
export function select(options, value, props = {}) {
  const el = h("select", props, options.map(([v, label]) => h("option", { value: v, text: label })));
  el.value = value ?? "";
  return el;
}

/** A labelled form field: label then control (the control gets an id when it has none). */
let fieldSeq = 0;
export function field(label, control, hint) {
  if (!control.id) control.id = `f${(fieldSeq += 1)}`;
  return h("div", { class: "field" },
    h("label", { htmlFor: control.id, text: label }),
    control,
    hint ? h("p", { class: "small muted hint", text: hint }) : null);
}

export async function copyText(text, input) {
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

/** A read-only link with a Copy button. */
export function copyRow(link) {
  const input = h("input", { type: "text", readOnly: true, value: link, class: "link",
    attrs: { "aria-label": t("invite.link") }, dataset: { testid: "invite-link" } });
  input.addEventListener("focus", () => input.select());
  const copy = h("button", { type: "button", class: "button small", text: t("invite.copy"),
    dataset: { testid: "copy-link" } });
  copy.addEventListener("click", async () => {
    const ok = await copyText(link, input);
    copy.textContent = ok ? t("invite.copied") : t("invite.select_copy");
    setTimeout(() => (copy.textContent = t("invite.copy")), 2000);
  });
  return h("div", { class: "copy-row" }, input, copy);
}

/** The roles of the organization, fetched once per page view and reused by selects. */
export async function roles(force = false) {
  if (force || !state.rolesLoaded) {
    state.roles = await authed("/roles");
    state.rolesLoaded = true;
  }
  return state.roles;
}

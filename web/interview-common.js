// Shared state and helpers of the candidate's page: its elements, the interview state, the
// words (t), API paths, drafts kept on this device, browser events (counts only) and the
// question read aloud. Text from the server goes in through textContent only.

import { api, ApiError, showError } from "./api.js";
import { STRINGS } from "./interview-i18n.js";
import { ChunkStore } from "./recording.js";

const $ = (id) => document.getElementById(id);
export const els = {
  org: $("org-name"),
  roleLine: $("role-line"),
  roleTitle: $("role-title"),
  error: $("error"),
  notice: $("notice"),
  loading: $("loading"),
  consent: $("consent"),
  consentForm: $("consent-form"),
  consentRecording: $("consent-recording"),
  consentAi: $("consent-ai"),
  consentBiometric: $("consent-biometric"),
  consentSubmit: $("consent-submit"),
  device: $("device"),
  devicePreview: $("device-preview"),
  micLevel: $("mic-level"),
  deviceStatus: $("device-status"),
  deviceTest: $("device-test"),
  deviceRetry: $("device-retry"),
  devicePlayback: $("device-playback"),
  deviceContinue: $("device-continue"),
  deviceText: $("device-text"),
  enroll: $("enroll"),
  enrollPreview: $("enroll-preview"),
  enrollCanvas: $("enroll-canvas"),
  enrollStatus: $("enroll-status"),
  enrollCapture: $("enroll-capture"),
  enrollRetake: $("enroll-retake"),
  enrollContinue: $("enroll-continue"),
  question: $("question"),
  progress: $("question-progress"),
  progressBar: $("progress-bar"),
  questionText: $("question-text"),
  questionContext: $("question-context"),
  questionTime: $("question-time"),
  recorder: $("recorder"),
  recPreview: $("rec-preview"),
  recDot: $("rec-dot"),
  recTimer: $("rec-timer"),
  recStatus: $("rec-status"),
  recStart: $("rec-start"),
  recStop: $("rec-stop"),
  recResume: $("rec-resume"),
  recRetake: $("rec-retake"),
  recNext: $("rec-next"),
  recWrite: $("rec-write"),
  recDeviceRetry: $("rec-device-retry"),
  answerForm: $("answer-form"),
  answer: $("answer-text"),
  answerCount: $("answer-count"),
  answerNote: $("answer-note"),
  answerRecord: $("answer-record"),
  choices: $("choices"),
  image: $("question-image"),
  countdown: $("countdown"),
  draftStatus: $("draft-status"),
  answerSubmit: $("answer-submit"),
  finish: $("finish"),
  finishSubmit: $("finish-submit"),
  thanks: $("thanks"),
  reviewForm: $("review-form"),
  reviewLabel: $("review-label"),
  reviewReason: $("review-reason"),
  reviewSubmit: $("review-submit"),
  reviewDone: $("review-done"),
  withdrawSubmit: $("withdraw-submit"),
  withdrawDone: $("withdraw-done"),
};
const SECTIONS = ["loading", "consent", "device", "enroll", "question", "finish", "thanks"];

export const state = {
  token: readToken(),
  lang: (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en",
  org: "",
  data: null,
  answered: new Set(),
  current: null, // the question on screen
  stream: null, // the camera/microphone stream once allowed
  streamKind: null, // "video" (camera and microphone) or "audio"
  stopMeter: () => {},
  written: false, // the candidate chose typed answers
  rec: null, // the recording on screen: {qid, take, recorder, uploader, seq, ...}
  answeredBy: null, // "text" or "recording": how the last open answer was given
  done: false,
};
export const store = new ChunkStore();

// ---------------------------------------------------------------- language

export function t(key, vars = {}) {
  const table = STRINGS[state.lang] || STRINGS.en;
  const s = table[key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

export function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  const vars = { org: state.org || (state.lang === "zh" ? "招聘方" : "the employer") };
  for (const node of document.querySelectorAll("[data-i18n]")) {
    node.textContent = t(node.dataset.i18n, vars);
  }
  els.answer.placeholder = t("placeholder");
  document.title = state.data && state.data.role_title
    ? `${t("title")} · ${state.data.role_title}`
    : t("title");
}

// ---------------------------------------------------------------- helpers

function readToken() {
  const raw = location.hash.replace(/^#\/?/, "").trim();
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function show(name) {
  for (const s of SECTIONS) els[s].hidden = s !== name;
}

export function error(message) {
  showError(els.error, message);
}

export function messageOf(err) {
  if (err instanceof ApiError && err.status === 0) return t("network");
  return (err && err.message) || String(err);
}

export const path = (suffix = "") => `/interview/${encodeURIComponent(state.token)}${suffix}`;
export const qpath = (qid, suffix = "") => path(`/${suffix}`.replace("{q}", encodeURIComponent(qid)));

export function status(el, message, kind = "") {
  el.textContent = message || "";
  el.dataset.state = kind;
}

export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// Drafts live in localStorage until the server acknowledges the answer.
const draftKey = (qid) => `interview.draft.${state.token}.${qid}`;
export const checkedKey = () => `interview.devices.${state.token}`;
export const writtenKey = () => `interview.written.${state.token}`;

export function getDraft(qid) {
  try {
    return localStorage.getItem(draftKey(qid)) || "";
  } catch {
    return "";
  }
}

export function setDraft(qid, text) {
  try {
    if (text) localStorage.setItem(draftKey(qid), text);
    else localStorage.removeItem(draftKey(qid));
    return true;
  } catch {
    return false;
  }
}

export function remember(key, value) {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    /* private mode: the device check runs again after a reload */
  }
}

export function recall(key) {
  try {
    return localStorage.getItem(key) || "";
  } catch {
    return "";
  }
}

export const textAllowed = () => (state.data.answer_modes || []).includes("text");
export const recordingAllowed = () =>
  state.data.recording_consent && (state.data.answer_modes || []).some((m) => m === "video" || m === "audio");

// ---------------------------------------------------------------- browser events

// Focus, visibility, paste and copy, sent in small batches. Counts only, never content.
const events = [];
const MAX_QUEUED_EVENTS = 500;

export function note(kind, detail = {}) {
  if (!state.data || !state.data.consent_given || state.done) return;
  const event = { kind, client_time: Date.now(), detail };
  if (state.current) event.question_id = state.current.id;
  events.push(event);
  if (events.length > MAX_QUEUED_EVENTS) events.splice(0, events.length - MAX_QUEUED_EVENTS);
  if (events.length >= 10) flushEvents();
}

let flushing = false;
export async function flushEvents({ closing = false } = {}) {
  if (flushing || !events.length) return;
  flushing = true;
  const batch = events.splice(0, 50);
  try {
    await api(path("/events"), { method: "POST", body: { events: batch }, keepalive: closing });
  } catch (err) {
    // Kept for the next try unless the server refused them for good.
    if (err instanceof ApiError && (err.status === 0 || err.status >= 500)) events.unshift(...batch);
  } finally {
    flushing = false;
  }
}

setInterval(flushEvents, 5000);
document.addEventListener("visibilitychange", () => {
  note(document.hidden ? "tab_hidden" : "tab_visible");
  if (document.hidden) flushEvents({ closing: true });
});
window.addEventListener("blur", () => note("focus_lost"));
window.addEventListener("focus", () => note("focus_back"));
window.addEventListener("pagehide", () => {
  remember(leftKey(), String(Date.now())); // the next load measures how long the page was gone
  flushEvents({ closing: true });
});

// A reload (or the link opened again) during the interview: the old page reported hidden as it
// unloaded; this says the page is back, so the gap reads as a reload, not as leaving the page.
const leftKey = () => `interview.left.${state.token}`;
export function notePageLoad() {
  const nav = (performance.getEntriesByType && performance.getEntriesByType("navigation")[0]) || {};
  const left = Number(recall(leftKey())) || 0;
  const detail = { navigation: nav.type || "navigate" };
  if (left && Date.now() >= left) detail.away_ms = Date.now() - left;
  remember(leftKey(), "");
  note("page_load", detail);
  flushEvents();
}
document.addEventListener("paste", (ev) => {
  const text = (ev.clipboardData && ev.clipboardData.getData("text")) || "";
  note("paste", { chars: text.length });
});
document.addEventListener("copy", () => {
  note("copy", { chars: String(document.getSelection() || "").length });
});

// ---------------------------------------------------------------- speech

// Read the question aloud only when the browser has a voice for the language; never wait
// for it (some browsers start speaking and never finish, others fail at once).
export function speak(text) {
  try {
    if (!("speechSynthesis" in window)) return;
    const want = state.lang === "zh" ? "zh" : "en";
    const voice = speechSynthesis.getVoices().find((v) => (v.lang || "").toLowerCase().startsWith(want));
    if (!voice) return;
    speechSynthesis.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.voice = voice;
    u.lang = voice.lang;
    speechSynthesis.speak(u);
  } catch {
    /* the text is on screen */
  }
}

export function hush() {
  try {
    if ("speechSynthesis" in window) speechSynthesis.cancel();
  } catch {
    /* nothing to stop */
  }
}

// "1 minute", "3 minutes", "90 seconds": a time limit in words (never "1 minutes").
export function duration(seconds) {
  const s = Math.max(1, Math.round(seconds || 180));
  if (s % 60 !== 0 && s < 120) return t("nSeconds", { n: s });
  const m = Math.round(s / 60);
  return m === 1 ? t("oneMinute") : t("nMinutes", { n: m });
}

// A written answer's suggested length, in words (characters in Chinese), from the time a
// spoken answer would take: a written question is not timed, so it never says minutes.
const WORDS_PER_MINUTE = [50, 100]; // typed, considered answers: about half of speech
const CHARS_PER_MINUTE = [80, 170]; // Chinese characters for the same content
export function writtenLength(q) {
  const m = Math.max(1, Math.round((q.time_limit_s || 180) / 60));
  const [low, high] = state.lang === "zh" ? CHARS_PER_MINUTE : WORDS_PER_MINUTE;
  const round = (n) => Math.max(50, Math.round((n * m) / 50) * 50);
  return { low: round(low), high: round(high) };
}

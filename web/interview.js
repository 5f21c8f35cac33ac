// The candidate's page: consent, a camera and microphone check, an optional enrollment
// photo, then one question at a time (recorded, typed or chosen), then finish.
// The candidate never sees a score. Text from the server goes in through textContent only.
//
// This file holds the flow and the typed and multiple-choice answers; interview-common.js the
// state, words and helpers (and browser events); device-check.js the camera and microphone
// check and the photo; answer-recording.js the recorded answers.

import { api, ApiError, h, withRetry } from "./api.js";
import { showDeviceLost, showRecorder } from "./answer-recording.js";
import { deviceCheck, enrollStep, openDevices } from "./device-check.js";
import {
  applyLanguage,
  checkedKey,
  els,
  error,
  flushEvents,
  getDraft,
  messageOf,
  note,
  notePageLoad,
  path,
  qpath,
  recall,
  recordingAllowed,
  remember,
  setDraft,
  show,
  speak,
  status,
  state,
  t,
  textAllowed,
  writtenKey,
  writtenLength,
} from "./interview-common.js";

// ---------------------------------------------------------------- flow

async function load() {
  applyLanguage();
  if (!state.token) {
    els.loading.hidden = true;
    error(t("noToken"));
    return;
  }
  show("loading");
  let data;
  try {
    data = await api(path());
  } catch (err) {
    els.loading.hidden = true;
    error(messageOf(err));
    return;
  }
  state.data = data;
  if (data.max_answer_chars) els.answer.maxLength = data.max_answer_chars; // the server's limit
  state.lang = data.language === "zh" ? "zh" : "en";
  state.org = data.organization || "";
  state.answered = new Set(data.answered || []);
  state.followup = data.pending_followup || null; // a probe asked but not answered yet
  applyLanguage();
  els.org.textContent = data.organization || "";
  els.roleTitle.textContent = data.role_title || "";
  els.roleLine.hidden = !data.role_title;

  if (data.status !== "invited" && data.status !== "started") {
    state.done = true;
    showWithdrawal();
    showReview();
    show("thanks");
  } else if (!data.consent_given) {
    show("consent");
    updateConsentButton();
  } else {
    notePageLoad();
    afterConsent({ reload: true });
  }
}

function updateConsentButton() {
  els.consentSubmit.disabled = !(els.consentRecording.checked && els.consentAi.checked);
}

/** After consent: the device check (skipped on a reload once passed), the photo, questions. */
async function afterConsent({ reload = false } = {}) {
  const open = (state.data.questions || []).some((q) => !(q.choices || []).length && !state.answered.has(q.id));
  if (!recordingAllowed() || (!open && !state.followup) || (textAllowed() && recall(writtenKey()))) {
    state.written = true; // no recording, or the candidate chose to write (kept over reloads)
    return next();
  }
  if (reload && recall(checkedKey())) {
    const ok = await openDevices();
    if (ok) return afterDevices();
  }
  return deviceCheck();
}

function afterDevices() {
  state.stopMeter();
  state.stopMeter = () => {};
  if (state.data.biometric_consent && !state.data.enrolled && state.streamKind === "video") {
    return enrollStep();
  }
  return next();
}

function next() {
  const qs = state.data.questions || [];
  if (state.followup) {
    // A follow-up probe comes before the next question, answered the same way.
    const base = state.followup.id.split("~f")[0];
    const parent = qs.find((q) => q.id === base) || {};
    // The probe keeps the question in view and the way the candidate answered it: typed
    // after a typed answer, recorded (with writing still offered) after a recorded one.
    const modes = (parent.answer_modes || ["text"]).filter((m) => m !== "choice");
    const probe = {
      id: state.followup.id,
      kind: "followup",
      text: state.followup.text,
      parent_text: parent.text || "",
      answer_modes: state.answeredBy === "text" ? ["text"] : modes,
      time_limit_s: parent.time_limit_s || 180,
      choices: [],
    };
    state.followup = null;
    return render(probe, Math.max(0, qs.findIndex((q) => q.id === base)), qs.length);
  }
  const index = qs.findIndex((q) => !state.answered.has(q.id));
  if (index === -1) {
    state.current = null;
    show("finish");
    els.finishSubmit.focus();
    return;
  }
  return render(qs[index], index, qs.length);
}

function canRecord(q) {
  if (!state.stream || state.written || (q.choices || []).length) return false;
  const modes = q.answer_modes || [];
  return modes.includes("audio") || (modes.includes("video") && state.streamKind === "video");
}

function render(q, index, total) {
  state.current = q;
  error("");
  els.notice.hidden = true; // a time-up notice stays for one question
  els.progress.textContent = t("progress", { n: index + 1, total });
  els.progressBar.style.width = `${Math.round((index / total) * 100)}%`;
  els.questionText.textContent = q.text;
  els.questionContext.hidden = !q.parent_text;
  els.questionContext.textContent = q.parent_text ? t("followupContext", { question: q.parent_text }) : "";
  stopCountdown();
  const choices = q.choices || [];
  els.choices.replaceChildren(...choices.map((c) => {
    const input = h("input", { type: "radio", name: "choice", value: c.id, id: `choice-${c.id}` });
    input.dataset.testid = "choice";
    return h("label", { class: "choice" }, input, h("span", { text: c.text }));
  }));
  els.choices.hidden = choices.length === 0;
  els.image.hidden = !q.image_url;
  if (q.image_url) els.image.src = q.image_url;
  else els.image.removeAttribute("src");
  show("question");
  state.shown = markShown(q.id);
  speak(q.text);
  if (state.deviceLost && !state.written && !(q.choices || []).length &&
      (q.answer_modes || []).some((m) => m === "audio" || m === "video")) {
    showDeviceLost(q); // the device stopped earlier: say so before falling back to writing
    return;
  }
  if (canRecord(q)) {
    showRecorder(q);
    return;
  }
  showTyped(q);
}


function showTyped(q) {
  const choices = q.choices || [];
  // A written answer is not timed: a suggested length in words. A timed item: its countdown.
  els.questionTime.textContent = choices.length ? "" : t("writtenHint", writtenLength(q));
  els.questionTime.hidden = choices.length > 0;
  els.recorder.hidden = true;
  els.answerForm.hidden = false;
  els.answer.hidden = choices.length > 0;
  els.draftStatus.hidden = choices.length > 0;
  els.answerCount.hidden = choices.length > 0;
  els.answerRecord.hidden = !(choices.length === 0 && state.stream && !state.written &&
    (q.answer_modes || []).some((m) => m === "audio" || m === "video"));
  const draft = choices.length ? "" : getDraft(q.id);
  els.answer.value = draft;
  els.draftStatus.textContent = draft ? t("draftRestored") : "";
  pasteCut = 0;
  if (choices.length) els.answerNote.hidden = true;
  else showCount();
  els.answerSubmit.textContent = t("submit");
  els.answerSubmit.disabled = false;
  if (choices.length) {
    startCountdown(q);
    els.choices.querySelector("input")?.focus();
  } else {
    els.answer.focus();
  }
}

function markShown(qid) {
  // The server keeps the first time; timed items and the delay before answering use it.
  return withRetry(() => api(qpath(qid, "questions/{q}/shown"), { method: "POST" }), { tries: 4 })
    .catch(() => null);
}

// Timed items: a visible countdown from when the server first showed the item (a reload
// resumes it). When it ends, what is there (the option picked, or nothing) is sent at the
// limit, the candidate is told what was kept, and the interview moves on.
let timer = null;
let left = 0;
function stopCountdown() {
  if (timer) clearInterval(timer);
  timer = null;
  els.countdown.hidden = true;
}
function startCountdown(q) {
  left = q.time_limit_s || 60;
  const tick = () => {
    els.countdown.hidden = false;
    els.countdown.textContent = t("secondsLeft", { s: Math.max(0, left) });
    if (left <= 0) {
      stopCountdown();
      timeUp(q);
      return;
    }
    left -= 1;
  };
  (state.shown || Promise.resolve(null)).then((shown) => {
    if (state.current !== q || !timer || !shown || shown.seconds_left == null) return;
    left = Math.min(left, Math.ceil(shown.seconds_left));
  });
  tick();
  timer = setInterval(tick, 1000);
}

async function timeUp(q) {
  if (state.current !== q) return;
  const body = { question_id: q.id, timed_out: true };
  const choiceId = selectedChoice();
  if (choiceId) body.choice_id = choiceId;
  else if (!(q.choices || []).length && els.answer.value.trim()) body.text = els.answer.value;
  inFlight = true;
  els.answerSubmit.disabled = true;
  let message;
  try {
    const ack = await withRetry(() => api(path("/answers"), { method: "POST", body }), { tries: 3 });
    message = t(ack && ack.timed_out ? "timeUpNothing" : "timeUpSaved");
    if (body.text) setDraft(q.id, "");
  } catch {
    message = t("timeUpUnsent"); // asked again on the next load, when the server says time is up
  } finally {
    inFlight = false;
  }
  delete els.answer.dataset.started;
  state.answered.add(q.id);
  next();
  els.notice.textContent = message;
  els.notice.hidden = false;
}
function selectedChoice() {
  const picked = els.choices.querySelector("input[name=choice]:checked");
  return picked ? picked.value : null;
}

// ---------------------------------------------------------------- buttons that move the interview on

els.deviceText.addEventListener("click", () => {
  state.written = true;
  remember(writtenKey(), "1");
  state.stopMeter();
  next();
});

els.deviceContinue.addEventListener("click", () => {
  remember(checkedKey(), "1");
  afterDevices();
});

els.enrollContinue.addEventListener("click", () => next());

els.recNext.addEventListener("click", () => {
  state.rec = null;
  next();
});

els.recWrite.addEventListener("click", () => {
  if (state.rec && state.rec.recorder) return;
  showTyped(state.current);
});

els.answerRecord.addEventListener("click", () => showRecorder(state.current));

// The camera or microphone stopped mid-interview (device-check.js): on a recorded question,
// say so and offer the device again or writing; on a typed one, stop offering to record.
document.addEventListener("devicelost", () => {
  els.answerRecord.hidden = true;
  if (state.current && !els.recorder.hidden) showDeviceLost(state.current);
});

els.recDeviceRetry.addEventListener("click", async () => {
  els.recDeviceRetry.disabled = true;
  const ok = await openDevices();
  els.recDeviceRetry.disabled = false;
  if (!ok) {
    status(els.recStatus, t(state.deviceProblem || "deviceMissing"), "problem");
    return;
  }
  error("");
  els.recDeviceRetry.hidden = true;
  if (state.current && !(state.rec && state.rec.finishing)) showRecorder(state.current);
});

// ---------------------------------------------------------------- consent and typed answers

els.consentRecording.addEventListener("change", updateConsentButton);
els.consentAi.addEventListener("change", updateConsentButton);

els.consentForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (els.consentSubmit.disabled) return;
  error("");
  const body = {
    recording: els.consentRecording.checked,
    ai_assessment: els.consentAi.checked,
    biometric: els.consentBiometric.checked,
  };
  els.consentSubmit.disabled = true;
  els.consentSubmit.textContent = t("saving");
  try {
    await api(path("/consent"), { method: "POST", body });
    state.data.consent_given = body.ai_assessment;
    state.data.recording_consent = body.recording;
    state.data.biometric_consent = body.biometric;
    afterConsent();
  } catch (err) {
    error(messageOf(err));
  } finally {
    els.consentSubmit.textContent = t("consentSubmit");
    updateConsentButton();
  }
});

function typed() {
  if (!state.current) return;
  if (!els.answer.dataset.started) {
    els.answer.dataset.started = "1";
    note("answer_start", { mode: "text" });
  }
  const saved = setDraft(state.current.id, els.answer.value);
  els.draftStatus.textContent = saved && els.answer.value ? t("draftSaved") : "";
  showCount();
}

els.answer.addEventListener("input", () => {
  pasteCut = 0; // an edit after a cut paste: the count says the rest
  typed();
});

// The typed answer's limit is the server's (max_answer_chars): a live count, a warning near
// it, and the box stops there (maxlength), so Submit never fails for length. Counted in
// UTF-16 units like maxlength, never fewer than the server's characters.
const NEAR_LIMIT = 0.9; // warn from 90% of the limit
let pasteCut = 0; // characters the last paste left out, said until the next edit

const answerLimit = () => (state.data && state.data.max_answer_chars) || els.answer.maxLength;
const count = (n) => n.toLocaleString(state.lang === "zh" ? "zh-CN" : "en-US");

function showCount() {
  const limit = answerLimit();
  const n = els.answer.value.length;
  const level = n > limit ? "over" : n === limit ? "full" : n >= NEAR_LIMIT * limit ? "near" : "";
  els.answerCount.textContent = t("charCount", { n: count(n), limit: count(limit) });
  els.answerCount.dataset.state = level;
  const vars = { n: count(n), limit: count(limit), over: count(n - limit), cut: count(pasteCut) };
  const message = pasteCut ? t("pasteCut", vars)
    : { over: t("tooLong", vars), full: t("atLimit", vars), near: t("nearLimit", vars) }[level] || "";
  els.answerNote.textContent = message;
  els.answerNote.hidden = !message;
}

// A paste that would pass the limit keeps what fits and says how much was left out (the
// browser would cut it silently).
els.answer.addEventListener("paste", (ev) => {
  const text = (ev.clipboardData && ev.clipboardData.getData("text")) || "";
  const { selectionStart: start, selectionEnd: end, value } = els.answer;
  const room = answerLimit() - (value.length - (end - start));
  if (text.length <= room) return;
  ev.preventDefault();
  let piece = text.slice(0, Math.max(0, room));
  if (/[\uD800-\uDBFF]$/.test(piece)) piece = piece.slice(0, -1); // never half a character
  els.answer.setRangeText(piece, start, end, "end");
  pasteCut = text.length - piece.length;
  typed();
});

els.answer.addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
    ev.preventDefault();
    els.answerForm.requestSubmit();
  }
});

let inFlight = false;

els.answerForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (inFlight || !state.current) return;
  const q = state.current;
  const isChoice = (q.choices || []).length > 0;
  const text = els.answer.value;
  const choiceId = isChoice ? selectedChoice() : null;
  if (isChoice ? !choiceId : !text.trim()) {
    error(t(isChoice ? "pickOne" : "empty"));
    return;
  }
  if (!isChoice && text.length > answerLimit()) {
    showCount(); // e.g. a draft kept from before the limit: say by how much to shorten it
    error(els.answerNote.textContent);
    return;
  }
  error("");
  if (!isChoice) setDraft(q.id, text); // kept until the server acknowledges it
  inFlight = true;
  els.answerSubmit.disabled = true;
  els.answerSubmit.setAttribute("aria-busy", "true");
  els.answerSubmit.textContent = t("saving");
  try {
    const body = isChoice ? { question_id: q.id, choice_id: choiceId } : { question_id: q.id, text };
    const ack = await api(path("/answers"), { method: "POST", body });
    state.followup = (ack && ack.followup) || null;
    state.answeredBy = "text";
    stopCountdown();
    if (!isChoice) setDraft(q.id, "");
    delete els.answer.dataset.started;
    state.answered.add(q.id);
    next();
  } catch (err) {
    // Refused (the answer itself): say why and offer Submit after a change. Not reached or
    // failed on the way: the same answer may go through, so offer to try again.
    const refused = err instanceof ApiError && err.status >= 400 && err.status < 500 &&
      err.status !== 408 && err.status !== 429;
    error(refused ? t("refused", { message: err.message }) : messageOf(err));
    els.answerSubmit.textContent = t(refused ? "submit" : "retry");
    els.answerSubmit.disabled = false;
  } finally {
    inFlight = false;
    els.answerSubmit.removeAttribute("aria-busy");
  }
});

els.finishSubmit.addEventListener("click", async () => {
  if (els.finishSubmit.disabled) return;
  error("");
  els.finishSubmit.disabled = true;
  els.finishSubmit.textContent = t("finishing");
  try {
    await flushEvents();
    await api(path("/complete"), { method: "POST" });
    state.done = true;
    if (state.stream) for (const track of state.stream.getTracks()) track.stop(); // camera off
    state.stream = null;
    remember(checkedKey(), "");
    remember(writtenKey(), "");
    showWithdrawal();
    showReview();
    show("thanks");
  } catch (err) {
    error(messageOf(err));
    els.finishSubmit.textContent = t("finish");
    els.finishSubmit.disabled = false;
  }
});

window.addEventListener("hashchange", () => location.reload());

load();

// Consent to AI assessment can be withdrawn after finishing too: a second click confirms; the
// server stops or undoes the AI assessment and a person assesses the interview.
function showWithdrawal() {
  const withdrawn = !state.data.consent_given;
  els.withdrawSubmit.hidden = withdrawn;
  els.withdrawDone.hidden = !withdrawn;
}

els.withdrawSubmit.addEventListener("click", async () => {
  if (els.withdrawSubmit.dataset.confirm !== "1") {
    els.withdrawSubmit.dataset.confirm = "1";
    els.withdrawSubmit.textContent = t("withdrawConfirm");
    return;
  }
  els.withdrawSubmit.disabled = true;
  const body = {
    recording: !!state.data.recording_consent,
    ai_assessment: false,
    biometric: !!state.data.biometric_consent,
  };
  try {
    await api(path("/consent"), { method: "POST", body });
    state.data.consent_given = false;
    showWithdrawal();
  } catch (err) {
    els.withdrawSubmit.disabled = false;
    error(messageOf(err));
  }
});

// The candidate's right to a human review: one request, sent from the last page. Once sent
// (the server keeps its date), the page says so with the date instead of offering it again,
// also when the link is opened later.
function showReview() {
  const at = state.data.review_requested_at;
  els.reviewLabel.hidden = !!at;
  els.reviewReason.hidden = !!at;
  els.reviewSubmit.hidden = !!at;
  if (!at) return;
  const day = new Date(at).toLocaleDateString(state.lang === "zh" ? "zh-CN" : "en-GB", {
    year: "numeric", month: "long", day: "numeric",
  });
  els.reviewDone.textContent = t("reviewSent", { date: day });
  els.reviewDone.classList.remove("error");
  els.reviewDone.hidden = false;
}

els.reviewForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  els.reviewSubmit.disabled = true;
  try {
    const sent = await api(path("/review-request"), { method: "POST", body: { reason: els.reviewReason.value } });
    state.data.review_requested_at = sent.requested_at;
    showReview();
  } catch (err) {
    els.reviewSubmit.disabled = false;
    els.reviewDone.textContent = err instanceof ApiError ? err.message : String(err);
    els.reviewDone.classList.add("error");
  }
  els.reviewDone.hidden = false;
});

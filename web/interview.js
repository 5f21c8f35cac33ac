// The candidate's page: consent, a camera and microphone check, an optional enrollment
// photo, then one question at a time (recorded, typed or chosen), then finish.
// The candidate never sees a score. Text from the server goes in through textContent only.

import { api, ApiError, h, showError, withRetry } from "./api.js";
import {
  ChunkStore,
  TIMESLICE_MS,
  TakeUploader,
  levelMeter,
  pickMimeType,
  recordClip,
  resumable,
} from "./recording.js";

const STRINGS = {
  en: {
    title: "Interview",
    loading: "Loading…",
    role: "Role:",
    noToken: "This page needs the full link from your invitation. Please open the link you were sent.",
    network: "Could not reach the server. Check your connection and try again; your answer is kept on this device.",
    consentTitle: "Before you start",
    consentIntro: "Please read how this interview works and what happens to your answers.",
    recordedTitle: "What is recorded",
    recordedBody: "For spoken answers we record video and sound from your camera and microphone while you answer, and nothing in between. We also store the answers you write, when you submit them, the choices you make, and whether you leave this page during a question (not what you do elsewhere). They are kept by {org} for this application only.",
    aiTitle: "AI assists, a person decides",
    aiBody: "An AI system helps assess your answers against what the role needs and points to the parts of your answers it relied on. A person at {org} reviews that assessment; the AI does not make the decision.",
    rightsTitle: "Your rights",
    rightsBody: "You can ask for a human review of your interview, ask to see or correct what is stored about you, or ask for an interview without AI assessment: contact the recruiter who invited you. If you do not agree, close this page and let them know.",
    consentRecording: "I agree that my answers are recorded and stored as described above.",
    consentAi: "I agree that AI assists the assessment of my answers, which a person then reviews.",
    consentBiometric: "Optional: I agree that a photo of my face is taken now and compared with the faces in my recorded answers, only to confirm that it is me answering.",
    consentHint: "Tick the first two boxes to continue; the photo is optional.",
    consentSubmit: "Agree and start",
    saving: "Saving…",
    deviceTitle: "Check your camera and microphone",
    deviceIntro: "You should see yourself below, and the bar should move when you speak. Record a short test to hear how you sound.",
    micLevel: "Microphone",
    deviceAsk: "Asking for your camera and microphone…",
    deviceReady: "Camera and microphone are working.",
    deviceAudioOnly: "No camera was found: your answers will be recorded as sound only.",
    deviceDenied: "Your browser did not allow the camera and microphone. Allow them for this page (the camera icon in the address bar), then try again.",
    deviceMissing: "No camera or microphone was found on this device. Connect one and try again.",
    deviceBusy: "The camera or microphone is in use by another program. Close it and try again.",
    deviceUnsupported: "This browser cannot record. Please use a recent Chrome, Edge, Firefox or Safari.",
    deviceNoTextEither: "These questions need a spoken answer, so the interview cannot continue without a microphone.",
    deviceTest: "Record a 3-second test",
    deviceTesting: "Recording a test… say something.",
    deviceTestDone: "Play the test below to hear yourself.",
    deviceRetry: "Try again",
    deviceContinue: "Continue",
    useText: "Answer in writing instead",
    enrollTitle: "Your photo",
    enrollIntro: "Face the camera in good light, alone in the picture, and take a photo. It is used only to confirm that it is you answering.",
    enrollCapture: "Take photo",
    enrollRetake: "Take another photo",
    enrollSending: "Checking the photo…",
    enrollSaved: "Photo saved.",
    continue: "Continue",
    progress: "Question {n} of {total}",
    timeHint: "Take your time. Suggested length: about {min} minutes.",
    recLimit: "You can speak for up to {min} minutes.",
    answerLabel: "Your answer",
    placeholder: "Write your answer here. Concrete examples help: what happened, what you did, and how it turned out.",
    submit: "Submit answer",
    retry: "Try again",
    draftSaved: "Draft saved on this device.",
    draftRestored: "Your unsent draft was restored.",
    empty: "Please write an answer before submitting.",
    pickOne: "Please choose one option.",
    secondsLeft: "{s} s left",
    recStart: "Start recording",
    recStop: "Stop and send",
    recResume: "Send it",
    recRetake: "Record again",
    recStartOver: "Start over",
    next: "Next",
    writeInstead: "Answer in writing instead",
    recordInstead: "Record a spoken answer instead",
    recReady: "Press Start when you are ready. You can read the question first.",
    recRecording: "Recording. Parts saved: {acked}.",
    recUploading: "Sending your answer… parts saved: {acked} of {total}.",
    recRetrying: "The connection dropped. Your recording is kept on this device and will be sent when the connection is back. Parts saved: {acked}.",
    recFinishing: "Saving your answer…",
    recSaved: "Saved. Your answer was received.",
    recFound: "An unfinished recording of this answer was found ({parts} parts). Send it, or record again.",
    recNoTakes: "You have used all recordings for this question.",
    recFailed: "Your recording could not be saved: {message}",
    recTimeUp: "Time is up; your answer is being sent.",
    timer: "{elapsed} / {limit}",
    finishTitle: "All questions answered",
    finishBody: "Thank you. When you are ready, finish the interview to send it. You cannot change your answers afterwards.",
    finish: "Finish",
    finishing: "Sending…",
    thanksTitle: "Thank you",
    thanksBody: "Your interview has been sent to {org}. The recruiter will be in touch about the next steps.",
    thanksRights: "You can ask the recruiter for a human review of your interview at any time. You can close this page now.",
    reviewLabel: "Ask for a person to review your interview (optional: tell us why)",
    reviewAsk: "Ask for a human review",
    reviewDone: "Your request was sent. A person at the company will review your interview.",
  },
  zh: {
    title: "面试",
    loading: "加载中…",
    role: "应聘职位：",
    noToken: "本页面需要邀请中的完整链接，请打开您收到的链接。",
    network: "无法连接服务器，请检查网络后重试；您的回答已保存在本设备上。",
    consentTitle: "开始之前",
    consentIntro: "请先了解本次面试的方式以及您的回答将如何被处理。",
    recordedTitle: "我们会记录什么",
    recordedBody: "对于口头回答，我们只在您作答期间通过摄像头和麦克风录制视频和声音。我们也会保存您填写的回答、提交时间、您所做的选择，以及答题期间您是否离开了本页面（不记录您在其他地方的操作）。这些信息由{org}保存，仅用于本次应聘。",
    aiTitle: "AI 辅助评估，由人作出决定",
    aiBody: "AI 系统会根据岗位要求辅助评估您的回答，并标出其依据的回答内容。{org}的工作人员会审核该评估结果；录用决定不由 AI 作出。",
    rightsTitle: "您的权利",
    rightsBody: "您可以要求对面试进行人工复核，要求查看或更正与您有关的信息，或要求进行不使用 AI 评估的面试：请联系邀请您的招聘人员。如您不同意，请关闭本页面并告知对方。",
    consentRecording: "我同意按上述说明记录并保存我的回答。",
    consentAi: "我同意由 AI 辅助评估我的回答，并由工作人员审核。",
    consentBiometric: "可选：我同意现在拍摄一张面部照片，并与录制回答中的面部进行比对，仅用于确认是我本人作答。",
    consentHint: "请勾选前两项后继续；拍照为可选项。",
    consentSubmit: "同意并开始",
    saving: "正在保存…",
    deviceTitle: "检查摄像头和麦克风",
    deviceIntro: "您应能在下方看到自己，说话时音量条会跳动。可以录一段简短的测试听听效果。",
    micLevel: "麦克风",
    deviceAsk: "正在请求使用摄像头和麦克风…",
    deviceReady: "摄像头和麦克风工作正常。",
    deviceAudioOnly: "未找到摄像头：您的回答将只录制声音。",
    deviceDenied: "浏览器未允许使用摄像头和麦克风。请在地址栏的摄像头图标中允许本页面使用，然后重试。",
    deviceMissing: "本设备上未找到摄像头或麦克风。请连接后重试。",
    deviceBusy: "摄像头或麦克风正被其他程序占用。请关闭该程序后重试。",
    deviceUnsupported: "此浏览器无法录制。请使用较新版本的 Chrome、Edge、Firefox 或 Safari。",
    deviceNoTextEither: "这些问题需要口头回答，没有麦克风无法继续面试。",
    deviceTest: "录制 3 秒测试",
    deviceTesting: "正在录制测试…请说几句话。",
    deviceTestDone: "请播放下方的测试录音，听听效果。",
    deviceRetry: "重试",
    deviceContinue: "继续",
    useText: "改为文字作答",
    enrollTitle: "您的照片",
    enrollIntro: "请在光线充足处正对摄像头，画面中只有您一人，然后拍照。照片仅用于确认是您本人作答。",
    enrollCapture: "拍照",
    enrollRetake: "重新拍照",
    enrollSending: "正在检查照片…",
    enrollSaved: "照片已保存。",
    continue: "继续",
    progress: "第 {n} 题，共 {total} 题",
    timeHint: "请不必着急。建议用时：约 {min} 分钟。",
    recLimit: "您最多可以讲 {min} 分钟。",
    answerLabel: "您的回答",
    placeholder: "请在此作答。具体的例子会很有帮助：当时发生了什么、您做了什么、结果如何。",
    submit: "提交回答",
    retry: "重试",
    draftSaved: "草稿已保存在本设备上。",
    draftRestored: "已恢复您尚未提交的草稿。",
    empty: "请先填写回答再提交。",
    pickOne: "请选择一个选项。",
    secondsLeft: "剩余 {s} 秒",
    recStart: "开始录制",
    recStop: "停止并提交",
    recResume: "提交这段录制",
    recRetake: "重新录制",
    recStartOver: "从头再录",
    next: "下一题",
    writeInstead: "改为文字作答",
    recordInstead: "改为口头作答",
    recReady: "准备好后请点击“开始录制”。您可以先读一遍问题。",
    recRecording: "正在录制。已保存 {acked} 段。",
    recUploading: "正在提交您的回答…已保存 {acked}/{total} 段。",
    recRetrying: "网络连接中断。录制内容已保存在本设备上，连接恢复后会自动提交。已保存 {acked} 段。",
    recFinishing: "正在保存您的回答…",
    recSaved: "已保存。我们已收到您的回答。",
    recFound: "发现本题有一段未提交的录制（{parts} 段）。可以提交它，或重新录制。",
    recNoTakes: "本题的录制次数已用完。",
    recFailed: "录制内容未能保存：{message}",
    recTimeUp: "时间到，正在提交您的回答。",
    timer: "{elapsed} / {limit}",
    finishTitle: "所有问题已回答",
    finishBody: "谢谢！准备好后，请点击完成以提交面试。提交后将无法修改回答。",
    finish: "完成",
    finishing: "正在提交…",
    thanksTitle: "感谢您的参与",
    thanksBody: "您的面试已提交给{org}。招聘人员会与您联系后续事宜。",
    thanksRights: "您可以随时要求招聘人员对您的面试进行人工复核。现在可以关闭本页面。",
    reviewLabel: "申请由人工复核您的面试（可选：说明原因）",
    reviewAsk: "申请人工复核",
    reviewDone: "您的申请已提交，公司会安排专人复核您的面试。",
  },
};

const $ = (id) => document.getElementById(id);
const els = {
  org: $("org-name"),
  roleLine: $("role-line"),
  roleTitle: $("role-title"),
  error: $("error"),
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
  answerForm: $("answer-form"),
  answer: $("answer-text"),
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
  reviewReason: $("review-reason"),
  reviewSubmit: $("review-submit"),
  reviewDone: $("review-done"),
};
const SECTIONS = ["loading", "consent", "device", "enroll", "question", "finish", "thanks"];

const state = {
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
  done: false,
};
const store = new ChunkStore();

// ---------------------------------------------------------------- language

function t(key, vars = {}) {
  const table = STRINGS[state.lang] || STRINGS.en;
  const s = table[key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

function applyLanguage() {
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

function show(name) {
  for (const s of SECTIONS) els[s].hidden = s !== name;
}

function error(message) {
  showError(els.error, message);
}

function messageOf(err) {
  if (err instanceof ApiError && err.status === 0) return t("network");
  return (err && err.message) || String(err);
}

const path = (suffix = "") => `/interview/${encodeURIComponent(state.token)}${suffix}`;
const qpath = (qid, suffix = "") => path(`/${suffix}`.replace("{q}", encodeURIComponent(qid)));

function status(el, message, kind = "") {
  el.textContent = message || "";
  el.dataset.state = kind;
}

function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

// Drafts live in localStorage until the server acknowledges the answer.
const draftKey = (qid) => `interview.draft.${state.token}.${qid}`;
const checkedKey = () => `interview.devices.${state.token}`;
const writtenKey = () => `interview.written.${state.token}`;

function getDraft(qid) {
  try {
    return localStorage.getItem(draftKey(qid)) || "";
  } catch {
    return "";
  }
}

function setDraft(qid, text) {
  try {
    if (text) localStorage.setItem(draftKey(qid), text);
    else localStorage.removeItem(draftKey(qid));
    return true;
  } catch {
    return false;
  }
}

function remember(key, value) {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    /* private mode: the device check runs again after a reload */
  }
}

function recall(key) {
  try {
    return localStorage.getItem(key) || "";
  } catch {
    return "";
  }
}

const textAllowed = () => (state.data.answer_modes || []).includes("text");
const recordingAllowed = () =>
  state.data.recording_consent && (state.data.answer_modes || []).some((m) => m === "video" || m === "audio");

// ---------------------------------------------------------------- browser events

// Focus, visibility, paste and copy, sent in small batches. Counts only, never content.
const events = [];
const MAX_QUEUED_EVENTS = 500;

function note(kind, detail = {}) {
  if (!state.data || !state.data.consent_given || state.done) return;
  const event = { kind, client_time: Date.now(), detail };
  if (state.current) event.question_id = state.current.id;
  events.push(event);
  if (events.length > MAX_QUEUED_EVENTS) events.splice(0, events.length - MAX_QUEUED_EVENTS);
  if (events.length >= 10) flushEvents();
}

let flushing = false;
async function flushEvents({ closing = false } = {}) {
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
window.addEventListener("pagehide", () => flushEvents({ closing: true }));
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
function speak(text) {
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

function hush() {
  try {
    if ("speechSynthesis" in window) speechSynthesis.cancel();
  } catch {
    /* nothing to stop */
  }
}

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
    show("thanks");
  } else if (!data.consent_given) {
    show("consent");
    updateConsentButton();
  } else {
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
    const probe = {
      id: state.followup.id,
      kind: "followup",
      text: state.followup.text,
      answer_modes: (parent.answer_modes || ["text"]).filter((m) => m !== "choice"),
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
  els.progress.textContent = t("progress", { n: index + 1, total });
  els.progressBar.style.width = `${Math.round((index / total) * 100)}%`;
  els.questionText.textContent = q.text;
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
  markShown(q.id);
  speak(q.text);
  if (canRecord(q)) {
    showRecorder(q);
    return;
  }
  showTyped(q);
}

const minutes = (q) => Math.max(1, Math.round((q.time_limit_s || 180) / 60));

function showTyped(q) {
  const choices = q.choices || [];
  els.questionTime.textContent = t("timeHint", { min: minutes(q) }); // not the speaking limit
  els.recorder.hidden = true;
  els.answerForm.hidden = false;
  els.answer.hidden = choices.length > 0;
  els.draftStatus.hidden = choices.length > 0;
  els.answerRecord.hidden = !(choices.length === 0 && state.stream && !state.written &&
    (q.answer_modes || []).some((m) => m === "audio" || m === "video"));
  const draft = choices.length ? "" : getDraft(q.id);
  els.answer.value = draft;
  els.draftStatus.textContent = draft ? t("draftRestored") : "";
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
  withRetry(() => api(qpath(qid, "questions/{q}/shown"), { method: "POST" }), { tries: 4 }).catch(() => {});
}

// Timed items: a visible countdown; when it ends, the picked option (if any) is sent.
let timer = null;
function stopCountdown() {
  if (timer) clearInterval(timer);
  timer = null;
  els.countdown.hidden = true;
}
function startCountdown(q) {
  let left = q.time_limit_s || 60;
  const tick = () => {
    els.countdown.hidden = false;
    els.countdown.textContent = t("secondsLeft", { s: left });
    if (left <= 0) {
      stopCountdown();
      if (selectedChoice()) els.answerForm.requestSubmit();
      else {
        state.answered.add(q.id); // time is up with nothing picked: move on
        next();
      }
    }
    left -= 1;
  };
  tick();
  timer = setInterval(tick, 1000);
}
function selectedChoice() {
  const picked = els.choices.querySelector("input[name=choice]:checked");
  return picked ? picked.value : null;
}

// ---------------------------------------------------------------- device check

async function openDevices() {
  if (state.stream) return true;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof MediaRecorder === "undefined") {
    state.deviceProblem = "deviceUnsupported";
    return false;
  }
  const audio = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  const video = { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" };
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({ video, audio });
    state.streamKind = state.stream.getVideoTracks().length ? "video" : "audio";
    return true;
  } catch (err) {
    if (err && err.name === "NotAllowedError") {
      state.deviceProblem = "deviceDenied";
      return false;
    }
    if (err && err.name === "NotReadableError") {
      state.deviceProblem = "deviceBusy";
      return false;
    }
  }
  try {
    // No camera (or none usable): sound only.
    state.stream = await navigator.mediaDevices.getUserMedia({ audio });
    state.streamKind = "audio";
    return true;
  } catch (err) {
    state.deviceProblem = err && err.name === "NotAllowedError" ? "deviceDenied" : "deviceMissing";
    return false;
  }
}

async function deviceCheck() {
  show("device");
  error("");
  status(els.deviceStatus, t("deviceAsk"));
  els.deviceTest.disabled = true;
  els.deviceContinue.disabled = true;
  els.deviceRetry.hidden = true;
  els.deviceText.hidden = !textAllowed();
  const ok = await openDevices();
  if (!ok) {
    const message = t(state.deviceProblem || "deviceMissing");
    status(els.deviceStatus, textAllowed() ? message : `${message} ${t("deviceNoTextEither")}`, "problem");
    els.deviceRetry.hidden = false;
    (textAllowed() ? els.deviceText : els.deviceRetry).focus();
    return;
  }
  els.devicePreview.srcObject = state.stream;
  els.devicePreview.hidden = state.streamKind !== "video";
  state.stopMeter();
  state.stopMeter = levelMeter(state.stream, els.micLevel);
  status(els.deviceStatus, t(state.streamKind === "video" ? "deviceReady" : "deviceAudioOnly"), "ready");
  els.deviceTest.disabled = false;
  els.deviceContinue.disabled = false;
  els.deviceContinue.focus();
}

els.deviceRetry.addEventListener("click", () => deviceCheck());

els.deviceText.addEventListener("click", () => {
  state.written = true;
  remember(writtenKey(), "1");
  state.stopMeter();
  next();
});

els.deviceTest.addEventListener("click", async () => {
  els.deviceTest.disabled = true;
  status(els.deviceStatus, t("deviceTesting"), "testing");
  try {
    const blob = await recordClip(state.stream, 3000, pickMimeType(state.streamKind === "video"));
    if (els.devicePlayback.src) URL.revokeObjectURL(els.devicePlayback.src);
    els.devicePlayback.src = URL.createObjectURL(blob);
    els.devicePlayback.hidden = false;
    els.devicePlayback.dataset.bytes = String(blob.size);
    status(els.deviceStatus, t("deviceTestDone"), "tested");
  } catch (err) {
    status(els.deviceStatus, t("deviceUnsupported"), "problem");
  } finally {
    els.deviceTest.disabled = false;
  }
});

els.deviceContinue.addEventListener("click", () => {
  remember(checkedKey(), "1");
  afterDevices();
});

// ---------------------------------------------------------------- enrollment photo

function enrollStep() {
  show("enroll");
  error("");
  els.enrollPreview.srcObject = state.stream;
  els.enrollPreview.hidden = false;
  els.enrollCanvas.hidden = true;
  els.enrollCapture.hidden = false;
  els.enrollRetake.hidden = true;
  els.enrollContinue.hidden = true;
  status(els.enrollStatus, "");
  els.enrollCapture.focus();
}

els.enrollCapture.addEventListener("click", async () => {
  const video = els.enrollPreview;
  const canvas = els.enrollCanvas;
  canvas.width = video.videoWidth || 640;
  canvas.height = video.videoHeight || 480;
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  video.hidden = true;
  canvas.hidden = false;
  els.enrollCapture.hidden = true;
  status(els.enrollStatus, t("enrollSending"), "sending");
  try {
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
    await withRetry(
      () => api(path("/enrollment"), { method: "POST", body: blob, contentType: "image/jpeg" }),
      { tries: 5 },
    );
    state.data.enrolled = true;
    status(els.enrollStatus, t("enrollSaved"), "saved");
    els.enrollContinue.hidden = false;
    els.enrollContinue.focus();
  } catch (err) {
    // The server says what is wrong with the photo (no face, several faces...).
    status(els.enrollStatus, messageOf(err), "problem");
    els.enrollRetake.hidden = false;
    els.enrollRetake.focus();
  }
});

els.enrollRetake.addEventListener("click", () => enrollStep());
els.enrollContinue.addEventListener("click", () => next());

// ---------------------------------------------------------------- recorded answers

function recButtons({ start = false, stop = false, resume = false, retake = false, nextQ = false } = {}) {
  els.recStart.hidden = !start;
  els.recStop.hidden = !stop;
  els.recResume.hidden = !resume;
  els.recRetake.hidden = !retake;
  els.recNext.hidden = !nextQ;
}

async function showRecorder(q) {
  els.questionTime.textContent = t("recLimit", { min: minutes(q) });
  els.answerForm.hidden = true;
  els.recorder.hidden = false;
  els.recWrite.hidden = !(q.answer_modes || []).includes("text");
  const video = state.streamKind === "video" && (q.answer_modes || []).includes("video");
  els.recPreview.srcObject = video ? state.stream : null;
  els.recPreview.hidden = !video;
  els.recDot.hidden = true;
  els.recTimer.textContent = t("timer", { elapsed: clock(0), limit: clock(q.time_limit_s || 180) });
  recButtons();
  status(els.recStatus, t("loading"));
  state.rec = { qid: q.id, nextTake: 1, saved: false };
  let info;
  try {
    info = await withRetry(() => api(qpath(q.id, "recordings/{q}")), { tries: 6 });
  } catch (err) {
    status(els.recStatus, messageOf(err), "problem");
    recButtons({ start: true });
    return;
  }
  if (state.current !== q) return;
  state.rec.nextTake = info.next_take;
  const found = resumable(info, await store.list(state.token, q.id));
  if (found) {
    // A reload (or a crash) interrupted this answer: offer to send what was recorded.
    state.rec.resume = found;
    status(els.recStatus, t("recFound", { parts: found.count }), "found");
    recButtons({ resume: true, retake: info.next_take !== null });
    els.recResume.focus();
    return;
  }
  if (info.next_take === null) {
    status(els.recStatus, t("recNoTakes"), "problem");
    recButtons({ nextQ: true });
    return;
  }
  status(els.recStatus, t("recReady"), "ready");
  recButtons({ start: true });
  els.recStart.focus();
}

function uploaderFor(q, take) {
  return new TakeUploader({
    base: path(),
    token: state.token,
    qid: q.id,
    take,
    store,
    onProgress: (p) => recProgress(p),
  });
}

function recProgress(p) {
  const rec = state.rec;
  if (!rec || rec.saved || rec.finishing === "done") return;
  if (p.error) {
    status(els.recStatus, t("recFailed", { message: messageOf(p.error) }), "problem");
  } else if (p.retrying) {
    status(els.recStatus, t("recRetrying", { acked: p.acked }), "retrying");
  } else if (rec.recorder && rec.recorder.state === "recording") {
    status(els.recStatus, t("recRecording", { acked: p.acked }), "recording");
  } else if (rec.finishing) {
    status(els.recStatus, t("recUploading", { acked: p.acked, total: p.acked + p.pending }), "uploading");
  }
  els.recStatus.dataset.acked = String(p.acked);
}

function startRecording() {
  const q = state.current;
  const rec = state.rec;
  if (!q || !rec || rec.recorder || rec.nextTake === null) return;
  hush(); // the question's voice must not end up in the answer
  error("");
  const video = state.streamKind === "video" && (q.answer_modes || []).includes("video");
  const stream = video ? state.stream : new MediaStream(state.stream.getAudioTracks());
  const mimeType = pickMimeType(video);
  let recorder;
  try {
    recorder = new MediaRecorder(stream, {
      ...(mimeType ? { mimeType } : {}),
      videoBitsPerSecond: 1_000_000,
      audioBitsPerSecond: 64_000,
    });
  } catch (err) {
    status(els.recStatus, t("deviceUnsupported"), "problem");
    return;
  }
  const take = rec.nextTake;
  const uploader = uploaderFor(q, take);
  Object.assign(rec, { take, recorder, uploader, seq: 0, started: Date.now(), finishing: false, discard: false });
  recorder.ondataavailable = (e) => {
    if (rec.discard || !e.data || !e.data.size) return;
    uploader.add(rec.seq, e.data);
    rec.seq += 1;
  };
  recorder.onstop = () => {
    clearInterval(rec.tick);
    els.recDot.hidden = true;
    if (rec.discard) return;
    finishTake(q, rec);
  };
  recorder.start(TIMESLICE_MS);
  note("answer_start", { mode: video ? "video" : "audio", take });
  const limit = q.time_limit_s || 180;
  const tick = () => {
    const elapsed = (Date.now() - rec.started) / 1000;
    els.recTimer.textContent = t("timer", { elapsed: clock(elapsed), limit: clock(limit) });
    if (elapsed >= limit && recorder.state === "recording") {
      status(els.recStatus, t("recTimeUp"), "uploading");
      stopRecording();
    }
  };
  rec.tick = setInterval(tick, 250);
  tick();
  els.recDot.hidden = false;
  status(els.recStatus, t("recRecording", { acked: 0 }), "recording");
  recButtons({ stop: true, retake: true });
  els.recRetake.textContent = t("recStartOver");
  els.recWrite.hidden = true;
  els.recStop.focus();
}

function stopRecording() {
  const rec = state.rec;
  if (!rec || !rec.recorder || rec.recorder.state === "inactive") return;
  rec.finishing = true;
  recButtons();
  status(els.recStatus, t("recUploading", { acked: rec.uploader.acked.size, total: rec.seq }), "uploading");
  rec.recorder.stop(); // the last chunk arrives before the stop event, which finishes the take
}

async function finishTake(q, rec, count = rec.seq) {
  rec.finishing = true;
  try {
    const ack = await rec.uploader.finish(count);
    if (state.rec !== rec) return;
    rec.finishing = "done";
    rec.saved = true;
    rec.recorder = null;
    rec.nextTake = rec.take < 5 ? rec.take + 1 : null;
    state.answered.add(q.id);
    state.followup = (ack && ack.followup) || null;
    status(els.recStatus, t("recSaved"), "saved");
    els.recRetake.textContent = t("recRetake");
    recButtons({ nextQ: true, retake: rec.nextTake !== null && !state.followup });
    els.recNext.focus();
  } catch (err) {
    if (state.rec !== rec) return;
    rec.recorder = null;
    rec.finishing = false;
    status(els.recStatus, t("recFailed", { message: messageOf(err) }), "problem");
    rec.nextTake = rec.take + 1 <= 5 ? rec.take + 1 : null;
    els.recRetake.textContent = t("recRetake");
    recButtons({ retake: rec.nextTake !== null, nextQ: state.answered.has(q.id) });
  }
}

async function retake() {
  const q = state.current;
  const rec = state.rec;
  if (!q || !rec) return;
  if (rec.recorder && rec.recorder.state !== "inactive") {
    rec.discard = true; // start over: this take is dropped, the next one starts now
    rec.recorder.stop();
    await rec.uploader.abandon();
    rec.recorder = null;
    rec.nextTake = rec.take + 1 <= 5 ? rec.take + 1 : null;
  } else if (rec.resume) {
    await store.removeTake(state.token, q.id, rec.resume.take);
    rec.nextTake = rec.resume.take + 1 <= 5 ? rec.resume.take + 1 : null;
    rec.resume = null;
  }
  rec.saved = false;
  if (rec.nextTake === null) {
    status(els.recStatus, t("recNoTakes"), "problem");
    recButtons({ nextQ: state.answered.has(q.id) });
    return;
  }
  startRecording();
}

async function resumeTake() {
  const q = state.current;
  const rec = state.rec;
  if (!q || !rec || !rec.resume) return;
  const { take, count, unsent } = rec.resume;
  const uploader = uploaderFor(q, take);
  Object.assign(rec, { take, uploader, seq: count, finishing: true });
  recButtons();
  status(els.recStatus, t("recUploading", { acked: count - unsent.length, total: count }), "uploading");
  for (const row of unsent) uploader.add(row.seq, row.blob, { persist: false });
  rec.resume = null;
  await finishTake(q, rec, count);
}

els.recStart.addEventListener("click", () => startRecording());
els.recStop.addEventListener("click", () => stopRecording());
els.recRetake.addEventListener("click", () => retake());
els.recResume.addEventListener("click", () => resumeTake());
els.recNext.addEventListener("click", () => {
  state.rec = null;
  next();
});
els.recWrite.addEventListener("click", () => {
  if (state.rec && state.rec.recorder) return;
  showTyped(state.current);
});
els.answerRecord.addEventListener("click", () => showRecorder(state.current));

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

els.answer.addEventListener("input", () => {
  if (!state.current) return;
  if (!els.answer.dataset.started) {
    els.answer.dataset.started = "1";
    note("answer_start", { mode: "text" });
  }
  const saved = setDraft(state.current.id, els.answer.value);
  els.draftStatus.textContent = saved && els.answer.value ? t("draftSaved") : "";
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
    stopCountdown();
    if (!isChoice) setDraft(q.id, "");
    delete els.answer.dataset.started;
    state.answered.add(q.id);
    next();
  } catch (err) {
    error(messageOf(err));
    els.answerSubmit.textContent = t("retry");
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
    show("thanks");
  } catch (err) {
    error(messageOf(err));
    els.finishSubmit.textContent = t("finish");
    els.finishSubmit.disabled = false;
  }
});

window.addEventListener("hashchange", () => location.reload());

load();

// The candidate's right to a human review: one request, sent from the last page.
els.reviewForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  els.reviewSubmit.disabled = true;
  try {
    await api(path("/review-request"), { method: "POST", body: { reason: els.reviewReason.value } });
    els.reviewDone.textContent = t("reviewDone");
    els.reviewDone.classList.remove("error");
  } catch (err) {
    els.reviewSubmit.disabled = false;
    els.reviewDone.textContent = err instanceof ApiError ? err.message : String(err);
    els.reviewDone.classList.add("error");
  }
  els.reviewDone.hidden = false;
});

// The candidate's page: consent, then one question at a time, then finish.
// The candidate never sees a score. Text from the server goes in through textContent only.

import { api, ApiError, h, showError } from "./api.js";

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
    recordedBody: "We store the answers you write here, when you submit them, and the choices you make on this page. They are kept by {org} for this application only.",
    aiTitle: "AI assists, a person decides",
    aiBody: "An AI system helps assess your answers against what the role needs and points to the parts of your answers it relied on. A person at {org} reviews that assessment; the AI does not make the decision.",
    rightsTitle: "Your rights",
    rightsBody: "You can ask for a human review of your interview, ask to see or correct what is stored about you, or ask for an interview without AI assessment: contact the recruiter who invited you. If you do not agree, close this page and let them know.",
    consentRecording: "I agree that my answers are recorded and stored as described above.",
    consentAi: "I agree that AI assists the assessment of my answers, which a person then reviews.",
    consentHint: "Tick both boxes to continue.",
    consentSubmit: "Agree and start",
    saving: "Saving…",
    progress: "Question {n} of {total}",
    timeHint: "Take your time. Suggested length: about {min} minutes.",
    answerLabel: "Your answer",
    placeholder: "Write your answer here. Concrete examples help: what happened, what you did, and how it turned out.",
    submit: "Submit answer",
    retry: "Try again",
    draftSaved: "Draft saved on this device.",
    draftRestored: "Your unsent draft was restored.",
    empty: "Please write an answer before submitting.",
    pickOne: "Please choose one option.",
    secondsLeft: "{s} s left",
    finishTitle: "All questions answered",
    finishBody: "Thank you. When you are ready, finish the interview to send it. You cannot change your answers afterwards.",
    finish: "Finish",
    finishing: "Sending…",
    thanksTitle: "Thank you",
    thanksBody: "Your interview has been sent to {org}. The recruiter will be in touch about the next steps.",
    thanksRights: "You can ask the recruiter for a human review of your interview at any time. You can close this page now.",
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
    recordedBody: "我们会保存您在此填写的回答、提交时间以及您在本页面所做的选择。这些信息由{org}保存，仅用于本次应聘。",
    aiTitle: "AI 辅助评估，由人作出决定",
    aiBody: "AI 系统会根据岗位要求辅助评估您的回答，并标出其依据的回答内容。{org}的工作人员会审核该评估结果；录用决定不由 AI 作出。",
    rightsTitle: "您的权利",
    rightsBody: "您可以要求对面试进行人工复核，要求查看或更正与您有关的信息，或要求进行不使用 AI 评估的面试：请联系邀请您的招聘人员。如您不同意，请关闭本页面并告知对方。",
    consentRecording: "我同意按上述说明记录并保存我的回答。",
    consentAi: "我同意由 AI 辅助评估我的回答，并由工作人员审核。",
    consentHint: "请勾选以上两项后继续。",
    consentSubmit: "同意并开始",
    saving: "正在保存…",
    progress: "第 {n} 题，共 {total} 题",
    timeHint: "请不必着急。建议用时：约 {min} 分钟。",
    answerLabel: "您的回答",
    placeholder: "请在此作答。具体的例子会很有帮助：当时发生了什么、您做了什么、结果如何。",
    submit: "提交回答",
    retry: "重试",
    draftSaved: "草稿已保存在本设备上。",
    draftRestored: "已恢复您尚未提交的草稿。",
    empty: "请先填写回答再提交。",
    pickOne: "请选择一个选项。",
    secondsLeft: "剩余 {s} 秒",
    finishTitle: "所有问题已回答",
    finishBody: "谢谢！准备好后，请点击完成以提交面试。提交后将无法修改回答。",
    finish: "完成",
    finishing: "正在提交…",
    thanksTitle: "感谢您的参与",
    thanksBody: "您的面试已提交给{org}。招聘人员会与您联系后续事宜。",
    thanksRights: "您可以随时要求招聘人员对您的面试进行人工复核。现在可以关闭本页面。",
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
  consentSubmit: $("consent-submit"),
  question: $("question"),
  progress: $("question-progress"),
  progressBar: $("progress-bar"),
  questionText: $("question-text"),
  questionTime: $("question-time"),
  answerForm: $("answer-form"),
  answer: $("answer-text"),
  choices: $("choices"),
  image: $("question-image"),
  countdown: $("countdown"),
  draftStatus: $("draft-status"),
  answerSubmit: $("answer-submit"),
  finish: $("finish"),
  finishSubmit: $("finish-submit"),
  thanks: $("thanks"),
};
const SECTIONS = ["loading", "consent", "question", "finish", "thanks"];

const state = {
  token: readToken(),
  lang: (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en",
  org: "",
  data: null,
  answered: new Set(),
  current: null, // the question on screen
};

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

// Drafts live in localStorage until the server acknowledges the answer.
const draftKey = (qid) => `interview.draft.${state.token}.${qid}`;

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
    show("thanks");
  } else if (!data.consent_given) {
    show("consent");
    updateConsentButton();
  } else {
    next();
  }
}

function updateConsentButton() {
  els.consentSubmit.disabled = !(els.consentRecording.checked && els.consentAi.checked);
}

function next() {
  const qs = state.data.questions || [];
  if (state.followup) {
    // A follow-up probe comes before the next question; it is answered in words.
    const base = state.followup.id.split("~f")[0];
    const parent = qs.find((q) => q.id === base) || {};
    const probe = { id: state.followup.id, kind: "followup", text: state.followup.text,
      answer_modes: ["text"], time_limit_s: parent.time_limit_s || 180, choices: [] };
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

function render(q, index, total) {
  const qs = { length: total };
  state.current = q;
  els.progress.textContent = t("progress", { n: index + 1, total: qs.length });
  els.progressBar.style.width = `${Math.round((index / qs.length) * 100)}%`;
  els.questionText.textContent = q.text;
  const min = Math.max(1, Math.round((q.time_limit_s || 180) / 60));
  els.questionTime.textContent = t("timeHint", { min });
  stopCountdown();
  const choices = q.choices || [];
  els.choices.replaceChildren(...choices.map((c) => {
    const input = h("input", { type: "radio", name: "choice", value: c.id, id: `choice-${c.id}` });
    input.dataset.testid = "choice";
    return h("label", { class: "choice" }, input, h("span", { text: c.text }));
  }));
  els.choices.hidden = choices.length === 0;
  els.answer.hidden = choices.length > 0;
  els.draftStatus.hidden = choices.length > 0;
  els.image.hidden = !q.image_url;
  if (q.image_url) els.image.src = q.image_url;
  else els.image.removeAttribute("src");
  const draft = choices.length ? "" : getDraft(q.id);
  els.answer.value = draft;
  els.draftStatus.textContent = draft ? t("draftRestored") : "";
  els.answerSubmit.textContent = t("submit");
  els.answerSubmit.disabled = false;
  show("question");
  if (choices.length) {
    startCountdown(q);
    els.choices.querySelector("input")?.focus();
  } else {
    els.answer.focus();
  }
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

els.consentRecording.addEventListener("change", updateConsentButton);
els.consentAi.addEventListener("change", updateConsentButton);

els.consentForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  if (els.consentSubmit.disabled) return;
  error("");
  const body = { recording: els.consentRecording.checked, ai_assessment: els.consentAi.checked };
  els.consentSubmit.disabled = true;
  els.consentSubmit.textContent = t("saving");
  try {
    await api(path("/consent"), { method: "POST", body });
    state.data.consent_given = body.ai_assessment;
    next();
  } catch (err) {
    error(messageOf(err));
  } finally {
    els.consentSubmit.textContent = t("consentSubmit");
    updateConsentButton();
  }
});

els.answer.addEventListener("input", () => {
  if (!state.current) return;
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
    await api(path("/complete"), { method: "POST" });
    show("thanks");
  } catch (err) {
    error(messageOf(err));
    els.finishSubmit.textContent = t("finish");
    els.finishSubmit.disabled = false;
  }
});

window.addEventListener("hashchange", () => location.reload());

load();

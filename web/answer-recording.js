// A recorded answer on the question page: the camera preview, start and stop, the timer and
// the speaking limit, a take resumed after a reload, takes recorded again, and the upload's
// progress. recording.js holds the plumbing (format, chunk queue on this device, uploads).

import { api, withRetry } from "./api.js";
import {
  clock,
  duration,
  els,
  error,
  hush,
  messageOf,
  note,
  path,
  qpath,
  state,
  status,
  store,
  t,
} from "./interview-common.js";
import { TIMESLICE_MS, TakeUploader, pickMimeType, resumable } from "./recording.js";

// ---------------------------------------------------------------- recorded answers

function recButtons({ start = false, stop = false, resume = false, retake = false, nextQ = false } = {}) {
  els.recStart.hidden = !start;
  els.recStop.hidden = !stop;
  els.recResume.hidden = !resume;
  els.recRetake.hidden = !retake;
  els.recNext.hidden = !nextQ;
}

/** The device stopped: say so in place of the recorder, and offer it again or writing. A take
 * being recorded is stopped and sent: what was recorded until then is kept. */
export function showDeviceLost(q) {
  const rec = state.rec;
  if (rec && rec.recorder && rec.recorder.state === "recording") stopRecording();
  else recButtons();
  const message = t(state.deviceLost === "audio" ? "deviceLostAudio" : "deviceLostVideo");
  els.answerForm.hidden = true;
  els.recorder.hidden = false;
  els.recPreview.srcObject = null;
  els.recPreview.hidden = true;
  els.recDot.hidden = true;
  // While a take is being sent its status says so; the message goes above the question then.
  if (rec && rec.finishing) error(message);
  else status(els.recStatus, message, "problem");
  els.recDeviceRetry.hidden = false;
  els.recWrite.hidden = !(q.answer_modes || []).includes("text");
  els.recDeviceRetry.focus();
}

export async function showRecorder(q) {
  els.recDeviceRetry.hidden = true;
  els.questionTime.textContent = t("recLimit", { duration: duration(q.time_limit_s) });
  els.questionTime.hidden = false;
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
    state.answeredBy = "recording";
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

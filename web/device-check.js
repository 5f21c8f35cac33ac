// The camera and microphone check (preview, level meter, a 3-second test recording) and the
// optional enrollment photo. The buttons that move the interview on are wired in interview.js.

import { api, withRetry } from "./api.js";
import { els, error, messageOf, path, show, state, status, t, textAllowed } from "./interview-common.js";
import { levelMeter, pickMimeType, recordClip } from "./recording.js";

// ---------------------------------------------------------------- device check

export async function openDevices() {
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
    watchStream(state.stream);
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
    watchStream(state.stream);
    return true;
  } catch (err) {
    state.deviceProblem = err && err.name === "NotAllowedError" ? "deviceDenied" : "deviceMissing";
    return false;
  }
}

// A camera or microphone can stop mid-interview (unplugged, turned off, taken by another
// program): its track ends and the preview goes black. The stream is dropped (so the device
// can be opened again) and the page is told, to say so and offer the device again or writing.
function watchStream(stream) {
  state.deviceLost = null;
  for (const track of stream.getTracks()) {
    track.addEventListener("ended", () => {
      if (state.stream !== stream || state.done) return;
      for (const other of stream.getTracks()) other.stop();
      state.stream = null;
      state.deviceLost = track.kind; // "video" or "audio"
      document.dispatchEvent(new CustomEvent("devicelost", { detail: { kind: track.kind } }));
    });
  }
}

export async function deviceCheck() {
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

// ---------------------------------------------------------------- enrollment photo

export function enrollStep() {
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

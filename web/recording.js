// Recording helpers for the candidate page: pick a recorder format, keep unsent chunks in
// IndexedDB so a reload can resume them, upload chunks in order with retries and backoff,
// and show the microphone level. No framework, no network other than our own API.

import { api, ApiError, withRetry } from "./api.js";

export const TIMESLICE_MS = 2500; // one chunk every 2.5 s: little is lost if the tab dies

/** The first MediaRecorder format this browser supports, for video+audio or audio only. */
export function pickMimeType(video) {
  if (typeof MediaRecorder === "undefined") return null;
  const wanted = video
    ? ["video/webm;codecs=vp8,opus", "video/webm;codecs=vp9,opus", "video/webm", "video/mp4"]
    : ["audio/webm;codecs=opus", "audio/webm", "audio/ogg;codecs=opus", "audio/mp4"];
  return wanted.find((t) => MediaRecorder.isTypeSupported(t)) || "";
}

// ---------------------------------------------------------------- IndexedDB chunk store

const DB_NAME = "interview-recordings";
const STORE = "chunks";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Unsent chunks by (token, question, take, seq). Every method resolves, even without IDB. */
export class ChunkStore {
  constructor() {
    this.db = null;
    this.ready = this.open();
  }

  async open() {
    try {
      if (!("indexedDB" in window)) return;
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "id" });
      this.db = await request(req);
    } catch {
      this.db = null; // private browsing and the like: chunks stay in memory only
    }
  }

  static prefix(token, qid) {
    return `${token}|${qid}|`;
  }

  async run(mode, fn) {
    await this.ready;
    if (!this.db) return null;
    try {
      const tx = this.db.transaction(STORE, mode);
      const result = await request(fn(tx.objectStore(STORE)));
      return result;
    } catch {
      return null;
    }
  }

  put(token, qid, take, seq, blob) {
    const id = `${ChunkStore.prefix(token, qid)}${String(take).padStart(3, "0")}|${String(seq).padStart(6, "0")}`;
    return this.run("readwrite", (s) => s.put({ id, token, qid, take, seq, blob }));
  }

  async list(token, qid) {
    const p = ChunkStore.prefix(token, qid);
    const rows = await this.run("readonly", (s) => s.getAll(IDBKeyRange.bound(p, `${p}\uffff`)));
    return rows || [];
  }

  remove(token, qid, take, seq) {
    const id = `${ChunkStore.prefix(token, qid)}${String(take).padStart(3, "0")}|${String(seq).padStart(6, "0")}`;
    return this.run("readwrite", (s) => s.delete(id));
  }

  async removeTake(token, qid, take) {
    for (const row of await this.list(token, qid)) {
      if (row.take === take) await this.remove(token, qid, take, row.seq);
    }
  }
}

// ---------------------------------------------------------------- uploading one take

/**
 * Uploads one take's chunks in order, one request at a time, retrying with backoff while the
 * server cannot be reached; unsent chunks stay in memory and in the ChunkStore until the
 * server acknowledges them. `onProgress({acked, pending, retrying, error})` follows it.
 */
export class TakeUploader {
  constructor({ base, token, qid, take, store, onProgress }) {
    Object.assign(this, { base, token, qid, take, store });
    this.onProgress = onProgress || (() => {});
    this.pending = new Map(); // seq -> Blob, not yet acknowledged
    this.acked = new Set();
    this.running = null;
    this.retrying = false;
    this.abandoned = false;
    this.error = null;
  }

  chunkPath(seq) {
    return `${this.base}/recordings/${encodeURIComponent(this.qid)}/chunks/${seq}?take=${this.take}`;
  }

  /** Keep a new chunk (memory and IndexedDB first), then send it when its turn comes. */
  add(seq, blob, { persist = true } = {}) {
    this.pending.set(seq, blob);
    const saved = persist ? this.store.put(this.token, this.qid, this.take, seq, blob) : null;
    this.progress();
    Promise.resolve(saved).then(() => this.pump());
  }

  progress() {
    this.onProgress({
      acked: this.acked.size,
      pending: this.pending.size,
      retrying: this.retrying,
      error: this.error,
    });
  }

  pump() {
    if (this.running) return this.running;
    this.running = (async () => {
      while (this.pending.size && !this.abandoned && !this.error) {
        const seq = Math.min(...this.pending.keys());
        const blob = this.pending.get(seq);
        try {
          await withRetry(
            () => api(this.chunkPath(seq), { method: "PUT", body: blob, contentType: blob.type || "video/webm" }),
            {
              stop: () => this.abandoned,
              onRetry: () => {
                this.retrying = true;
                this.progress();
              },
            },
          );
        } catch (err) {
          if (!this.abandoned) this.error = err; // refused for good (409, 413, 422)
          break;
        }
        this.retrying = false;
        this.pending.delete(seq);
        this.acked.add(seq);
        this.store.remove(this.token, this.qid, this.take, seq);
        this.progress();
      }
    })().finally(() => {
      this.running = null;
      this.progress();
    });
    return this.running;
  }

  /** Resolve once every chunk is acknowledged; reject with the error that stopped it. */
  async drained() {
    while (this.pending.size && !this.error && !this.abandoned) await this.pump();
    if (this.error) throw this.error;
  }

  /** Send what is left, then ask the server to join `count` chunks; resolves with its ack. */
  async finish(count) {
    await this.drained();
    const ack = await withRetry(
      () => api(`${this.base}/recordings/${encodeURIComponent(this.qid)}/finish`, {
        method: "POST",
        body: { chunks: count, take: this.take },
      }),
      {
        stop: () => this.abandoned,
        onRetry: () => {
          this.retrying = true;
          this.progress();
        },
      },
    );
    this.retrying = false;
    await this.store.removeTake(this.token, this.qid, this.take);
    return ack;
  }

  /** Stop sending (a retake): what the server holds stays, unsent chunks are dropped. */
  async abandon() {
    this.abandoned = true;
    this.pending.clear();
    await this.store.removeTake(this.token, this.qid, this.take);
  }
}

/**
 * What can be resumed for a question after a reload: the open take the server or this
 * device holds, its chunks on the server, the unsent ones here, and how many chunks the
 * take has (the run 0..n-1 present in either place). Null when there is nothing.
 */
export function resumable(status, localRows) {
  const finished = new Set(status.takes.filter((t) => t.status === "finished").map((t) => t.take));
  const open = status.takes.filter((t) => t.status === "open").map((t) => t.take);
  const local = localRows.filter((r) => !finished.has(r.take));
  const candidates = [...open, ...local.map((r) => r.take)];
  if (!candidates.length) return null;
  const take = Math.max(...candidates);
  const server = status.takes.find((t) => t.take === take);
  const onServer = new Set(server ? server.chunks.map((c) => c.seq) : []);
  const here = local.filter((r) => r.take === take && !onServer.has(r.seq));
  const all = new Set([...onServer, ...here.map((r) => r.seq)]);
  let count = 0;
  while (all.has(count)) count += 1;
  if (!count) return null;
  return { take, count, onServer: onServer.size, unsent: here.filter((r) => r.seq < count) };
}

// ---------------------------------------------------------------- microphone level

/** Drive a <meter> from the stream's loudness (RMS, 0..1); returns a function that stops it. */
export function levelMeter(stream, meter) {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx || !stream.getAudioTracks().length) return () => {};
  const ctx = new Ctx();
  ctx.resume().catch(() => {});
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  let peak = 0;
  const tick = () => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const v of samples) sum += v * v;
    const rms = Math.sqrt(sum / samples.length);
    peak = Math.max(rms, peak * 0.95); // fall back slowly so speech is readable
    meter.value = Math.min(1, peak * 4);
    meter.dataset.peak = String(Math.round(peak * 1000) / 1000);
    frame = requestAnimationFrame(tick);
  };
  tick();
  return () => {
    cancelAnimationFrame(frame);
    ctx.close().catch(() => {});
    meter.value = 0;
  };
}

/** Record `ms` milliseconds of `stream` into one Blob (the device check's test clip). */
export function recordClip(stream, ms, mimeType) {
  return new Promise((resolve, reject) => {
    let rec;
    try {
      rec = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
    } catch (err) {
      reject(err);
      return;
    }
    const parts = [];
    rec.ondataavailable = (e) => e.data && e.data.size && parts.push(e.data);
    rec.onstop = () => resolve(new Blob(parts, { type: rec.mimeType || mimeType || "" }));
    rec.onerror = (e) => reject(e.error || new Error("recording failed"));
    rec.start();
    setTimeout(() => rec.state !== "inactive" && rec.stop(), ms);
  });
}

export { ApiError };

// Shared helpers for the web pages: a small JSON API client and a safe element builder.
// Nothing here ever assigns innerHTML: text from the server is untrusted.

export const API = "/api/v1";

/** An error from the API (or the network), with the server's code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "ApiError";
    this.status = status; // HTTP status; 0 when the server could not be reached
    this.code = code;
  }
}

const isRaw = (body) =>
  body instanceof Blob || body instanceof ArrayBuffer || ArrayBuffer.isView(body);

/**
 * Call the JSON API. `path` is relative to /api/v1. Resolves with the parsed body
 * (or null for an empty body); rejects with ApiError carrying error.message from the server.
 * A Blob or ArrayBuffer body is sent as it is (with `contentType`), anything else as JSON.
 * `keepalive` lets a request outlive the page (events sent as it closes).
 */
export async function api(path, { method = "GET", body, token, contentType, keepalive } = {}) {
  const headers = { Accept: "application/json" };
  const binary = body !== undefined && isRaw(body);
  if (body !== undefined) {
    headers["Content-Type"] = binary ? contentType || "application/octet-stream" : "application/json";
  }
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : binary ? body : JSON.stringify(body),
      cache: "no-store",
      keepalive: Boolean(keepalive),
    });
  } catch (err) {
    throw new ApiError(0, "NetworkError", "");
  }
  const raw = await res.text();
  let data = null;
  if (raw) {
    try {
      data = JSON.parse(raw);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = data && data.error;
    const code = (e && e.code) || `HTTP${res.status}`;
    const message = (e && e.message) || `${res.status} ${res.statusText || "error"}`;
    throw new ApiError(res.status, code, message);
  }
  return data;
}

/**
 * Build an element. `props` may hold: text (set with textContent), class, attrs (object),
 * dataset (object), on (object of event handlers), and any plain DOM property (type, value,
 * disabled, hidden, htmlFor, ...). Children are nodes or strings (strings become text nodes).
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key === "attrs") for (const [a, v] of Object.entries(value)) node.setAttribute(a, String(v));
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else if (key === "innerHTML") throw new Error("innerHTML is not allowed");
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Show a message in an error element (hidden when the message is empty). */
export function showError(el, message) {
  el.textContent = message || "";
  el.hidden = !message;
}

/** Run `fn` with `button` disabled (and optionally relabelled) while it is in flight. */
export async function busy(button, busyLabel, fn) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (busyLabel) button.textContent = busyLabel;
  try {
    return await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (busyLabel && button.textContent === busyLabel) button.textContent = label;
  }
}

/** Resolve after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** True for failures worth retrying: no connection, a timeout, overload, a server error. */
export function retryable(err) {
  if (!(err instanceof ApiError)) return true;
  return err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500;
}

/**
 * Call `fn` until it succeeds or fails for good: retryable failures wait with exponential
 * backoff (with jitter) between `minMs` and `maxMs`; `onRetry(err, attempt)` is told of each.
 * Tries for ever unless `tries` is given; `stop()` returning true gives up with the last error.
 */
export async function withRetry(fn, { minMs = 500, maxMs = 15000, tries = Infinity, onRetry, stop } = {}) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (err) {
      if (!retryable(err) || attempt >= tries || (stop && stop())) throw err;
      if (onRetry) onRetry(err, attempt);
      const wait = Math.min(maxMs, minMs * 2 ** (attempt - 1));
      await sleep(wait * (0.75 + Math.random() * 0.5));
    }
  }
}

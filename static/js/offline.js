// The sync queue: answers, files and submissions made without a connection wait on the phone
// and leave it only after the server has acknowledged them. Exactly once, by their uuids.
import { ACCOUNT, OWNER, PAGES, SHARED, all, put, remove, wipe } from "./store.js";

const CHUNK = 256 * 1024;
const banner = document.querySelector("[data-sync]");
const text = (key, values = {}) =>
  Object.entries(values).reduce(
    (out, [name, value]) => out.replace(`{${name}}`, value),
    (banner && banner.dataset[key]) || "",
  );

class LoginNeeded extends Error {}

// The server answered, and said no (a 4xx other than "sign in" or "already done"): sending the
// same again will not help until something is fixed, so say where, and go on with the rest.
class Refused extends Error {
  constructor(status, link) {
    super(String(status));
    this.link = link;
  }
}

// A CSRF token of this account's session; another account signed in meanwhile (this tab is
// stale) is "sign in again", never a session to send this account's queue with.
const token = async () => {
  const response = await fetch("/", { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (response.redirected && new URL(response.url).pathname === "/login") throw new LoginNeeded();
  if (response.headers.get("X-Adaldyq-Account") !== ACCOUNT) throw new LoginNeeded();
  const found = (await response.text()).match(/name="csrf_token"[^>]*value="([^"]+)"/);
  if (!found) throw new LoginNeeded();
  return found[1];
};

const checked = (response) => {
  if (response.status === 401) throw new LoginNeeded();
  return response;
};

// A queued form, sent with a fresh CSRF token.
const postForm = async (url, entries, csrf, headers) => {
  const body = new FormData();
  entries.forEach(([name, value]) => name !== "csrf_token" && body.append(name, value));
  body.append("csrf_token", csrf);
  return checked(
    await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json", ...OWNER, ...headers },
    }),
  );
};

// Done (true), refused (say where to fix it), or a failure worth another try later.
const settle = (response, link, done = [409]) => {
  if (response.ok || done.includes(response.status)) return true;
  if (response.status < 500) throw new Refused(response.status, link);
  throw new Error(String(response.status));
};

const sendAnswers = async (entry, csrf) =>
  settle(await postForm(entry.key, entry.entries, csrf, { "X-Autosave": "1" }), entry.key, [404, 409]);

const tus = (extra) => ({ "Tus-Resumable": "1.0.0", ...OWNER, ...extra });

const sendFile = async (file, csrf, onProgress) => {
  let url = file.upload;
  let offset = 0;
  if (url) {
    const head = await fetch(url, { method: "HEAD", headers: tus(), credentials: "same-origin" });
    if (head.ok) offset = Number(head.headers.get("Upload-Offset"));
    else url = null; // expired or consumed: start a new one (the evidence uuid keeps it once)
  }
  if (!url) {
    const created = checked(
      await fetch("/api/v1/uploads", {
        method: "POST",
        credentials: "same-origin",
        headers: tus({ "Upload-Length": String(file.blob.size), "X-CSRFToken": csrf }),
      }),
    );
    if (created.status >= 400 && created.status < 500) {
      throw new Refused(created.status, `/visits/${file.visit}/check`);
    }
    if (created.status !== 201) throw new Error(String(created.status));
    url = created.headers.get("Location");
    await put("files", { ...file, upload: url });
  }
  while (offset < file.blob.size) {
    const sent = checked(
      await fetch(url, {
        method: "PATCH",
        credentials: "same-origin",
        headers: tus({
          "Upload-Offset": String(offset),
          "Content-Type": "application/offset+octet-stream",
          "X-CSRFToken": csrf,
        }),
        body: file.blob.slice(offset, offset + CHUNK),
      }),
    );
    if (sent.status !== 204) throw new Error(String(sent.status));
    offset = Number(sent.headers.get("Upload-Offset"));
    onProgress(Math.round((100 * offset) / file.blob.size));
  }
  const attached = checked(
    await fetch(`/api/v1/visits/${file.visit}/evidence`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf, ...OWNER },
      body: JSON.stringify({ upload: url.split("/").pop(), item: file.item, uuid: file.key }),
    }),
  );
  return settle(attached, `/visits/${file.visit}/check`);
};

// Visits this page's queue sent for review: a receipt for each stays in the box (issue 15).
const sentNow = [];

const sendAction = async (action, csrf) => {
  const link = action.kind === "start" ? "/visits/new" : action.key.replace(/\/submit$/, "/check");
  const response = await postForm(action.key, action.entries || [], csrf, { "X-Queue": "1" });
  const done = settle(response, link);
  // A receipt only for a visit this send put under review (409: it was decided already).
  if (response.ok && /\/submit$/.test(action.key)) sentNow.push(action.visit);
  return done;
};

const showSent = () => {
  const list = banner.querySelector("[data-sync-sent]");
  list.hidden = sentNow.length === 0;
  list.replaceChildren(
    ...sentNow.map((visit) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = `/visits/${visit}`;
      a.textContent = text("msgReceipt");
      li.append(text("msgSent", { ref: visit.slice(0, 8).toUpperCase() }), " ", a);
      return li;
    }),
  );
};

let running = null;
const refusals = new Map(); // queued key -> where to fix it, shown until a send of it succeeds

const refusedVisits = new Set(); // visits with answers or files the server refused this run

const each = async (items, send, store) => {
  for (const item of items) {
    try {
      if (await send(item)) {
        await remove(store, item.key);
        refusals.delete(item.key);
      }
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      refusals.set(item.key, error.link);
      if (item.visit) refusedVisits.add(item.visit);
    }
  }
};

const showRefusals = () => {
  const box = banner.querySelector("[data-sync-refused]");
  box.hidden = refusals.size === 0;
  box.querySelector("p").textContent = text("msgRefused");
  const list = box.querySelector("ul");
  list.replaceChildren(
    ...Array.from(new Set(refusals.values())).map((link, index) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = link;
      a.textContent = `${text("msgOpen")} ${index + 1}`;
      li.append(a);
      return li;
    }),
  );
};
let delay = 5000;
let timer = null;

// What waits on the phone: the visits with answers or submissions, and the files.
const unsent = async () => {
  const [answers, files, actions] = await Promise.all(["answers", "files", "actions"].map(all));
  const visits = new Set([...answers, ...actions].map((item) => item.visit)).size;
  const waiting = answers.length + files.length + actions.length;
  return { answers, files, actions, visits, waiting };
};

export const refresh = async () => {
  if (!banner) return;
  const [{ answers, files, actions, visits, waiting }, started] = await Promise.all([
    unsent(),
    all("started"),
  ]);
  const pending = new Set([...answers, ...files, ...actions].map((item) => item.visit));
  // Visits started on this phone are on no page the server made yet: link to them here.
  const list = banner.querySelector("[data-sync-started]");
  const mine = started.filter((visit) => pending.has(visit.key));
  list.hidden = mine.length === 0;
  list.replaceChildren(
    ...mine.map((visit) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = `/visits/${visit.key}/sections/1`;
      a.textContent = text("msgContinue", { office: visit.office });
      li.append(a);
      return li;
    }),
  );
  // Shown while something waits or was refused; otherwise out of the way (issue 15). The
  // "This device" page (/device) always shows it, and keeps the removal of what is kept.
  showSent();
  banner.hidden =
    !waiting && refusals.size === 0 && sentNow.length === 0 && !document.querySelector("[data-device]");
  banner.querySelector("[data-sync-text]").textContent = !waiting
    ? text("msgNothing")
    : loginNeeded
      ? text("msgLogin")
      : text("msgWaiting", { visits, files: files.length });
  const device = document.querySelector("[data-device-wipe]");
  if (device) device.hidden = waiting > 0; // nothing is removed while it waits to be sent
  banner.querySelector("[data-sync-now]").hidden = waiting === 0;
};

// Signed out, or another account signed in meanwhile: what waits needs this account again.
let loginNeeded = false;

const send = async () => {
  window.clearTimeout(timer);
  refusedVisits.clear();
  try {
    const { answers, files, actions, waiting } = await unsent();
    if (waiting === 0) return;
    const csrf = await token();
    // A visit started on the phone is created first: answers, files and sending need it.
    const starts = actions.filter((action) => action.kind === "start");
    await each(starts, (start) => sendAction(start, csrf), "actions");
    await each(answers, (entry) => sendAnswers(entry, csrf), "answers");
    const progress = (percent) => {
      banner.querySelector("[data-sync-text]").textContent = text("msgUploading", { percent });
    };
    await each(files, (file) => sendFile(file, csrf, progress), "files");
    // A visit is not sent for review while some of its answers or files were refused: it would
    // go without them, and the fix could no longer be saved (issue 15 review). It waits, and
    // the box links to what to fix; the page restores what was typed.
    const others = actions.filter((item) => item.kind !== "start" && !refusedVisits.has(item.visit));
    await each(others, (action) => sendAction(action, csrf), "actions");
    loginNeeded = false;
    if (refusals.size) throw new Error("refused"); // try again later: it may have been fixed
    delay = 5000;
  } catch (error) {
    if (error instanceof LoginNeeded) {
      loginNeeded = true; // said by refresh() below, until a send goes through
      return;
    }
    delay = Math.min(delay * 2, 300000); // back off, never give up
    timer = window.setTimeout(flush, delay);
  } finally {
    await refresh().catch(() => {});
    showRefusals();
  }
};

// One run at a time; a second call waits for the one under way.
export const flush = () => {
  running =
    running ||
    send().finally(() => {
      running = null;
    });
  return running;
};

export const queueAnswers = (url, visit, entries) =>
  put("answers", { key: url, visit, entries, at: Date.now() }).then(refresh);
export const queueFile = (visit, item, blob, name) =>
  put("files", { key: crypto.randomUUID(), visit, item, blob, name, upload: null }).then(refresh);
export const queueAction = (url, visit) => put("actions", { key: url, visit }).then(refresh);

// "Begin the visit" without a connection: the phone makes the visit's uuid, keeps the start to
// send later, and opens the visit's first page, which sw.js makes from the blank pages it keeps.
const startForm = document.querySelector("form[data-offline-start]");
if (startForm) {
  // A copy kept from an earlier day says the time it was made: offer the phone's time instead.
  const when = startForm.querySelector("[name=visited_at]");
  if (when && Math.abs(Date.now() - Number(startForm.dataset.rendered || 0)) > 10 * 60 * 1000) {
    const now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    when.value = now.toISOString().slice(0, 16);
  }
  startForm.addEventListener("submit", async (event) => {
    if (startForm.dataset.native) return;
    event.preventDefault();
    try {
      await fetch("/sw.js", { method: "HEAD", cache: "no-store" });
      startForm.dataset.native = "1"; // a connection: the server starts the visit
      HTMLFormElement.prototype.submit.call(startForm);
      return;
    } catch (error) {
      // no connection: go on below
    }
    const chosen = startForm.querySelector("select[name=checklist]").value;
    const office = startForm.querySelector("select[name=office]");
    const checklist = JSON.parse(startForm.dataset.blankIds || "{}")[chosen];
    if (!checklist || !office.value || !startForm.querySelector("[name=visited_at]").value) {
      startForm.dataset.native = "1"; // let the browser show what is missing (cached page or not)
      HTMLFormElement.prototype.submit.call(startForm);
      return;
    }
    const uuid = crypto.randomUUID();
    const entries = Array.from(new FormData(startForm).entries()).filter(([name]) => name !== "uuid");
    entries.push(["uuid", uuid]);
    await put("started", { key: uuid, checklist, office: office.selectedOptions[0].textContent });
    await put("actions", { key: `${startForm.action || window.location.pathname}#${uuid}`, kind: "start", visit: uuid, entries });
    window.location.assign(`/visits/${uuid}/sections/1`);
  });
}

// The check page's "Send for review" works without a connection too.
const submitForm = document.querySelector("form[data-queue-submit]");
if (submitForm) {
  submitForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const state = submitForm.querySelector("[data-queue-state]");
    try {
      const response = await fetch(submitForm.action, {
        method: "POST",
        body: new FormData(submitForm),
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-Queue": "1", ...OWNER },
      });
      if (response.ok) {
        window.location.assign(submitForm.action.replace(/\/submit$/, ""));
        return;
      }
    } catch (error) {
      await queueAction(submitForm.action, submitForm.dataset.visit);
      state.textContent = submitForm.dataset.msgQueued;
      return;
    }
    HTMLFormElement.prototype.submit.call(submitForm); // the server shows what is missing
  });
}

// Opening one page of a visit keeps every page of it on the phone (sw.js serves them from this
// account's cache when there is no signal), so a volunteer need not open each page before going
// in. This account's own offline page too, with this banner on it.
let leaving = false; // signing out: keep nothing more
const precache = async () => {
  const holder = document.querySelector("[data-precache]");
  if (!window.caches || !navigator.onLine) return;
  const cache = await caches.open(PAGES);
  const assets = new Set();
  const account = document.documentElement.dataset.account;
  for (const url of ["/offline", ...(holder ? holder.dataset.precache.split(" ") : [])]) {
    if (await cache.match(url)) continue;
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
    // Only a page of this account, into this account's cache (signed out meanwhile: none).
    const mine = response.headers.get("X-Adaldyq-Account") === account;
    if (!response.ok || response.redirected || !mine) continue;
    const html = await response.clone().text();
    for (const found of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) assets.add(found[1]);
    if (leaving) return;
    await cache.put(url, response);
  }
  // The scripts and styles those pages use, which this page may not have loaded.
  const shared = await caches.open(SHARED);
  for (const url of assets) if (!(await shared.match(url))) await shared.add(url);
  if (holder) holder.dataset.precached = "1";
};

// "Sign out" removes what this account keeps on the phone. When some of it is not sent yet, the
// panel says so first: send it, remove it anyway, or stay. (Without JavaScript, sw.js sees the
// sign-out and forgets the pages, but keeps the queue for this account's next sign-in.)
const signout = document.querySelector("form.signout");
const leave = document.querySelector("[data-leave]");
const tell = (left, more = "") => {
  const counts = leave.dataset.msgUnsent.replace("{visits}", left.visits).replace("{files}", left.files.length);
  leave.querySelector("[data-leave-text]").textContent = `${counts} ${more}`.trim();
};
const signOut = async () => {
  leaving = true;
  await wipe().catch(() => {});
  HTMLFormElement.prototype.submit.call(signout);
};
if (signout && leave) {
  signout.addEventListener("submit", async (event) => {
    event.preventDefault();
    let left;
    try {
      left = await unsent();
    } catch (error) {
      HTMLFormElement.prototype.submit.call(signout); // cannot tell: sw.js keeps the queue
      return;
    }
    if (left.waiting === 0) return signOut();
    tell(left);
    leave.showModal();
  });
  leave.querySelector("[data-leave-cancel]").addEventListener("click", () => leave.close());
  leave.querySelector("[data-leave-remove]").addEventListener("click", signOut);
  leave.querySelector("[data-leave-send]").addEventListener("click", async () => {
    leave.querySelector("[data-leave-text]").textContent = leave.dataset.msgSending;
    await flush();
    const left = await unsent();
    if (left.waiting === 0) return signOut();
    tell(left, leave.dataset.msgNotSent);
  });
}

if (banner) {
  window.addEventListener("load", () => window.setTimeout(() => precache().catch(() => {}), 1000));
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  if (navigator.storage && navigator.storage.estimate) {
    navigator.storage.estimate().then(({ quota, usage }) => {
      if (quota && quota - usage < 50 * 1024 * 1024) {
        banner.querySelector("[data-sync-quota]").hidden = false;
      }
    });
  }
  banner.querySelector("[data-sync-now]").addEventListener("click", flush);
  const device = document.querySelector("[data-device-wipe]");
  device?.addEventListener("click", async () => {
    if (!window.confirm(device.dataset.confirm)) return; // nothing is removed on one tap
    await wipe();
    banner.querySelector("[data-sync-text]").textContent = text("msgWiped");
  });
  window.addEventListener("online", flush);
  refresh().then(flush).catch(() => {});
}

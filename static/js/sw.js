// Service worker: the pages a volunteer opened stay usable without a connection, for that account
// only. Every HTML page from the server names its account's namespace in a header (none when
// nobody, or a role that does not work offline, is signed in). A page is kept in that namespace's
// cache; without a connection only the account signed in last has its pages shown
// (docs/decisions.md, "Shared phones").
const SHARED = "adaldyq-shared"; // the offline page, fingerprinted assets, the current account
const OFFLINE = "/offline";
const CURRENT = "/__account"; // in SHARED: the namespace signed in last, across restarts
const pagesOf = (ns) => `adaldyq-pages-${ns}`; // store.js: PAGES
const dbOf = (ns) => `adaldyq-${ns}`; // store.js: NAME
const NEVER_KEPT = /^\/(login|invite\/|password\/)/; // sign-in, and pages with a token in the URL
const named = (value) => (/^[0-9a-f]{16}$/.test(value || "") ? value : "");

self.addEventListener("install", (event) => {
  const anonymous = new Request(OFFLINE, { credentials: "omit" }); // no one's page
  event.waitUntil(caches.open(SHARED).then((cache) => cache.add(anonymous)).then(() => self.skipWaiting()));
});

// Version 1 kept everyone's pages in one cache: they go (store.js adopts its queue).
self.addEventListener("activate", (event) =>
  event.waitUntil(caches.delete("adaldyq-pages-v1").then(() => self.clients.claim())),
);

// A cached copy, without making an empty cache of that name.
const kept = async (name, request) => (await caches.has(name)) && (await caches.open(name)).match(request);

// An account's database, if it has one (opening one that is not there would make it).
const withStore = (ns, store, mode, work) =>
  new Promise((resolve) => {
    const opening = indexedDB.open(dbOf(ns));
    opening.onupgradeneeded = () => opening.transaction.abort();
    opening.onerror = () => resolve(null);
    opening.onsuccess = () => {
      const db = opening.result;
      if (!db.objectStoreNames.contains(store)) return resolve(db.close());
      const tx = db.transaction(store, mode);
      const request = work(tx.objectStore(store));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = tx.onabort = () => resolve(null);
      db.close(); // once the transaction is done
    };
  });

let current = null; // "" when nobody is signed in
const account = async () => {
  if (current === null) {
    const hit = await kept(SHARED, CURRENT);
    current = hit ? named(await hit.text()) : "";
  }
  return current;
};

// Someone else (or nobody) is signed in now. The account before loses its pages and the last
// answers seen on them; its unsent queue stays in its own database, for it alone. Any other
// account's pages left behind (a worker stopped half-way) go too.
const switchTo = async (ns) => {
  const before = await account();
  if (ns === before) return;
  current = ns;
  const cache = await caches.open(SHARED);
  await (ns ? cache.put(CURRENT, new Response(ns)) : cache.delete(CURRENT));
  for (const name of await caches.keys()) {
    if (name.startsWith("adaldyq-pages-") && name !== pagesOf(ns)) await caches.delete(name);
  }
  if (before) await withStore(before, "pages", "readwrite", (store) => store.clear());
};

// A visit started on the phone without a connection (offline.js) has no pages of its own yet:
// they are made from the blank pages of its checklist, with its uuid and office put in.
const BLANK_UUID = "00000000-0000-4000-8000-000000000000";
const BLANK_OFFICE = "@@office@@";
const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const fromBlank = async (ns, url) => {
  const page = url.pathname.match(/^\/visits\/([0-9a-f-]{36})\/(sections\/(\d+)|check)$/);
  if (!page) return null;
  const visit = await withStore(ns, "started", "readonly", (store) => store.get(page[1]));
  if (!visit) return null;
  const blankPath = page[3]
    ? `/visits/blank/${visit.checklist}/sections/${page[3]}`
    : `/visits/blank/${visit.checklist}/check`;
  const blank = await kept(pagesOf(ns), blankPath);
  if (!blank) return null;
  const html = (await blank.text()).replaceAll(BLANK_UUID, page[1]).replaceAll(BLANK_OFFICE, escapeHtml(visit.office));
  return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
};

// Pages: the network first, and what the server says of who is signed in; without a connection,
// the current account's last copy, or the offline page.
const navigate = async (event) => {
  const request = event.request;
  try {
    const response = await fetch(request);
    const ns = named(response.headers.get("X-Adaldyq-Account"));
    const html = (response.headers.get("Content-Type") || "").startsWith("text/html");
    if (html && (ns || response.ok)) await switchTo(ns); // not from a proxy's error page
    const path = new URL(request.url).pathname;
    if (ns && response.ok && !response.redirected && !NEVER_KEPT.test(path)) {
      const copy = response.clone();
      event.waitUntil(caches.open(pagesOf(ns)).then((cache) => cache.put(request, copy)));
    }
    return response;
  } catch (error) {
    const ns = await account();
    const own =
      ns &&
      ((await kept(pagesOf(ns), request)) ||
        (await fromBlank(ns, new URL(request.url))) ||
        (await kept(pagesOf(ns), OFFLINE)));
    return own || (await kept(SHARED, OFFLINE)) || Response.error();
  }
};

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname === "/logout") {
    // Signed out, with or without the page's own clean-up (offline.js), even with no connection.
    event.waitUntil(switchTo(""));
    return;
  }
  if (request.method !== "GET" || url.pathname.startsWith("/api/")) return;
  // Evidence is never kept by the service worker: the server says "no-store" for it too.
  if (url.pathname.startsWith("/evidence/")) return;
  if (url.pathname.startsWith("/assets/")) {
    // Fingerprinted: the same URL always holds the same bytes.
    event.respondWith(
      caches.open(SHARED).then(
        async (cache) =>
          (await cache.match(request)) ||
          fetch(request).then((response) => {
            if (response.ok) event.waitUntil(cache.put(request, response.clone()));
            return response;
          }),
      ),
    );
    return;
  }
  if (request.mode === "navigate") event.respondWith(navigate(event));
});

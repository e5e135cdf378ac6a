// Service worker: the pages a volunteer opened stay usable without a connection.
const CACHE = "adaldyq-pages-v1"; // offline.js fills it too
const OFFLINE = "/offline";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.add(OFFLINE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

const cacheable = (url) =>
  !url.pathname.startsWith("/api/") &&
  !url.pathname.startsWith("/login") &&
  !(url.pathname.startsWith("/evidence/") && !url.pathname.endsWith("/thumb"));

// A visit started on the phone without a connection (offline.js) has no pages of its own yet:
// they are made from the blank pages of its checklist, with its uuid and office put in.
const BLANK_UUID = "00000000-0000-4000-8000-000000000000";
const BLANK_OFFICE = "@@office@@";
const started = (uuid) =>
  new Promise((resolve) => {
    const opening = indexedDB.open("adaldyq");
    opening.onerror = () => resolve(null);
    opening.onsuccess = () => {
      const db = opening.result;
      if (!db.objectStoreNames.contains("started")) return resolve(null);
      const get = db.transaction("started").objectStore("started").get(uuid);
      get.onsuccess = () => resolve(get.result || null);
      get.onerror = () => resolve(null);
    };
  });
const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const fromBlank = async (url) => {
  const page = url.pathname.match(/^\/visits\/([0-9a-f-]{36})\/(sections\/(\d+)|check)$/);
  if (!page) return null;
  const visit = await started(page[1]);
  if (!visit) return null;
  const blankPath = page[3]
    ? `/visits/blank/${visit.checklist}/sections/${page[3]}`
    : `/visits/blank/${visit.checklist}/check`;
  const blank = await caches.match(blankPath);
  if (!blank) return null;
  const html = (await blank.text()).replaceAll(BLANK_UUID, page[1]).replaceAll(BLANK_OFFICE, escapeHtml(visit.office));
  return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
};

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !cacheable(url)) return;
  if (url.pathname.startsWith("/assets/")) {
    // Fingerprinted: the same URL always holds the same bytes.
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(request, copy));
            return response;
          }),
      ),
    );
    return;
  }
  // Pages: the network first, the last copy seen when there is none.
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches
          .match(request)
          .then(async (hit) => hit || (await fromBlank(url)) || caches.match(OFFLINE)),
      ),
  );
});

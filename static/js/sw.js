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
        caches.match(request).then((hit) => hit || caches.match(OFFLINE)),
      ),
  );
});

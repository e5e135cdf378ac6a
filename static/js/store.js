// The phone's own store (IndexedDB): unsent answers, files and submissions, kept across restarts,
// the last answers seen on each page ("pages"), which a page cached earlier may not show, and
// visits started without a connection ("started", read by sw.js to make their pages).
// One database and one page cache per account, named by the server (data-account on <html>):
// another account signed in on the same phone never opens them (docs/decisions.md).
export const ACCOUNT = document.documentElement.dataset.account || "";
// Sent with every request made for this account's data: the server refuses it (401) when
// another account is signed in now, so a stale tab never writes with someone else's session.
export const OWNER = { "X-Adaldyq-Account": ACCOUNT };
const NAME = `adaldyq-${ACCOUNT}`;
export const PAGES = `adaldyq-pages-${ACCOUNT}`; // sw.js keeps this account's pages there too
export const SHARED = "adaldyq-shared"; // the offline page and the fingerprinted assets
const STORES = ["answers", "files", "actions", "pages", "started"];
const LEGACY = "adaldyq"; // version 1: one database and one cache for whoever was signed in
const LEGACY_PAGES = "adaldyq-pages-v1";

const done = (request) =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

const drop = (name) =>
  new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });

// A database only if it is there already: opening one that is not would make it.
const existing = (name) =>
  new Promise((resolve) => {
    const request = indexedDB.open(name);
    request.onupgradeneeded = () => request.transaction.abort();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => resolve(null);
  });

// The queue of version 1 goes to the first account that opens a page after the upgrade, once;
// its pages do not (sw.js deletes them). Items of a visit that is not this account's are then
// refused by the server (404), as before the upgrade.
const adopt = async (db) => {
  const old = await existing(LEGACY);
  if (!old) return;
  for (const store of ["answers", "files", "actions", "started"]) {
    if (!old.objectStoreNames.contains(store)) continue;
    const rows = await done(old.transaction(store).objectStore(store).getAll());
    const tx = db.transaction(store, "readwrite");
    rows.forEach((row) => {
      const seen = tx.objectStore(store).getKey(row.key);
      seen.onsuccess = () => seen.result === undefined && tx.objectStore(store).put(row);
    });
    await new Promise((resolve) => (tx.oncomplete = tx.onerror = tx.onabort = resolve));
  }
  old.close();
  await drop(LEGACY);
  if (window.caches) await caches.delete(LEGACY_PAGES);
};

let opening = null;
const open = () => {
  opening =
    opening ||
    new Promise((resolve, reject) => {
      if (!ACCOUNT) throw new Error("signed out");
      const request = indexedDB.open(NAME, 3);
      request.onupgradeneeded = () => {
        STORES.filter((store) => !request.result.objectStoreNames.contains(store)).forEach((store) =>
          request.result.createObjectStore(store, { keyPath: "key" }),
        );
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => {
          db.close(); // removed from another tab: let it go
          opening = null;
        };
        // An old tab holding version 1's database open delays its removal: do not wait for it.
        const later = new Promise((wake) => window.setTimeout(wake, 2000));
        Promise.race([adopt(db).catch(() => {}), later]).then(() => resolve(db));
      };
      request.onerror = () => reject(request.error);
    });
  return opening;
};

const run = async (store, mode, work) => {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = work(tx.objectStore(store));
    tx.oncomplete = () => resolve(request ? request.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
};

export const put = (store, value) => run(store, "readwrite", (s) => s.put(value));
export const get = (store, key) => run(store, "readonly", (s) => s.get(key));
export const remove = (store, key) => run(store, "readwrite", (s) => s.delete(key));
export const all = (store) => run(store, "readonly", (s) => s.getAll());

// Everything this account keeps on the phone, and what version 1 kept; never another account's.
export const wipe = async () => {
  if (opening) (await opening.catch(() => null))?.close();
  opening = null;
  await drop(NAME);
  await drop(LEGACY);
  if (window.caches) await Promise.all([caches.delete(PAGES), caches.delete(LEGACY_PAGES)]);
};

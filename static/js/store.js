// The phone's own store (IndexedDB): unsent answers, files and submissions, kept across restarts,
// the last answers seen on each page ("pages"), which a page cached earlier may not show, and
// visits started without a connection ("started", read by sw.js to make their pages).
const NAME = "adaldyq";
const STORES = ["answers", "files", "actions", "pages", "started"];

let opening = null;
const open = () => {
  opening =
    opening ||
    new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, 3);
      request.onupgradeneeded = () => {
        STORES.filter((store) => !request.result.objectStoreNames.contains(store)).forEach((store) =>
          request.result.createObjectStore(store, { keyPath: "key" }),
        );
      };
      request.onsuccess = () => resolve(request.result);
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

export const wipe = async () => {
  const db = await open();
  db.close();
  opening = null;
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(NAME);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
  if (window.caches) {
    for (const key of await caches.keys()) await caches.delete(key);
  }
};

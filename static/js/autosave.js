// Autosave: send the section's answers in the background as they change, and say so.
// Without a connection they are kept on the phone and sent later (offline.js).
// Without JavaScript the "Save and continue" button does the same job.
import { OWNER, get, put, remove } from "./store.js";
import { flush, queueAnswers } from "./offline.js";

const form = document.querySelector("form[data-autosave]");

const answersOnly = () => {
  const data = new FormData(form);
  form.querySelectorAll("input[type=file]").forEach((input) => data.delete(input.name));
  return data;
};

const entries = (data) => Array.from(data.entries()).filter(([, value]) => typeof value === "string");

const restore = (saved) => {
  const values = new Map();
  saved.forEach(([name, value]) => values.set(name, value));
  form.querySelectorAll("input, textarea, select").forEach((field) => {
    if (!values.has(field.name) || field.type === "file" || field.name === "csrf_token") return;
    if (field.type === "radio") field.checked = field.value === values.get(field.name);
    else field.value = values.get(field.name);
  });
};

if (form && window.fetch && window.FormData) {
  const visit = form.dataset.visit;
  const state = form.querySelector("[data-save-state]");
  const say = (key, kind) => {
    const when = new Date().toLocaleTimeString(document.documentElement.lang, {
      hour: "2-digit",
      minute: "2-digit",
    });
    state.textContent = (form.dataset[key] || "").replace("{time}", when);
    state.dataset.kind = kind;
  };
  const page = window.location.pathname;
  const rendered = Number(form.dataset.rendered || 0);
  const keep = () => queueAnswers(page, visit, entries(answersOnly()));
  // The page may come from the cache, rendered before answers given on it were sent. The last
  // answers seen here win over any render they were made on (or an older one).
  const remember = () => put("pages", { key: page, entries: entries(answersOnly()), rendered });

  Promise.all([get("answers", page), get("pages", page)])
    .then(([unsent, seen]) => {
      if (unsent) {
        restore(unsent.entries);
        say("msgKept", "busy");
      } else if (seen && seen.rendered >= rendered) {
        restore(seen.entries);
      }
    })
    .catch(() => {});

  let timer = null;
  let running = Promise.resolve();
  const save = () => {
    running = running.then(async () => {
      say("msgSaving", "busy");
      try {
        const response = await fetch(form.action || window.location.href, {
          method: "POST",
          body: answersOnly(),
          headers: { "X-Autosave": "1", Accept: "application/json", ...OWNER },
          credentials: "same-origin",
        });
        if (response.ok) {
          await remove("answers", page);
          say("msgSaved", "ok");
        } else if (response.status === 422) say("msgInvalid", "error");
        else {
          await keep();
          say("msgKept", "busy");
        }
      } catch (error) {
        await keep();
        say("msgKept", "busy");
      }
    });
  };
  const later = (delay) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  };
  form.addEventListener("change", (event) => {
    if (event.target.type === "file") return;
    remember().catch(() => {});
    later(300);
  });
  form.addEventListener("input", (event) => {
    if (!event.target.matches("textarea, input[type=text], input:not([type])")) return;
    remember().catch(() => {});
    later(1500);
  });

  // "Save and continue" without a connection: keep the answers, open the next page from cache.
  form.addEventListener("submit", async (event) => {
    if (form.dataset.native) return;
    const button = event.submitter;
    if (button && button.name.startsWith("remove")) return; // the server asks, then removes
    event.preventDefault();
    await remember().catch(() => {});
    const data = answersOnly();
    if (button && button.name) data.append(button.name, button.value);
    const target = (button && form.dataset[`next${button.value}`]) || form.dataset.nextnext;
    try {
      const response = await fetch(form.action || window.location.href, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: OWNER,
      });
      if (response.redirected) {
        await remove("answers", page);
        window.location.assign(response.url);
        return;
      }
      if (response.status === 401) {
        // Signed out, or another account signed in meanwhile: keep the answers for this one.
        await keep();
        window.location.assign("/login");
        return;
      }
    } catch (error) {
      await keep();
      window.location.assign(target);
      return;
    }
    form.dataset.native = "1"; // let the server show what needs attention
    form.requestSubmit(button);
  });
  window.addEventListener("online", flush);
}

// Autosave: send the section's answers in the background as they change, and say so.
// Without JavaScript the "Save and continue" button does the same job.
const form = document.querySelector("form[data-autosave]");

if (form && window.fetch && window.FormData) {
  const state = form.querySelector("[data-save-state]");
  const say = (key, kind) => {
    const when = new Date().toLocaleTimeString(document.documentElement.lang, {
      hour: "2-digit",
      minute: "2-digit",
    });
    state.textContent = (form.dataset[key] || "").replace("{time}", when);
    state.dataset.kind = kind;
  };
  // Files travel on their own (evidence.js); the autosave sends answers only.
  const answersOnly = () => {
    const data = new FormData(form);
    form.querySelectorAll("input[type=file]").forEach((input) => data.delete(input.name));
    return data;
  };
  let timer = null;
  let running = Promise.resolve();

  const save = () => {
    running = running.then(async () => {
      say("msgSaving", "busy");
      try {
        const response = await fetch(form.action || window.location.href, {
          method: "POST",
          body: answersOnly(),
          headers: { "X-Autosave": "1", Accept: "application/json" },
          credentials: "same-origin",
        });
        if (response.ok) say("msgSaved", "ok");
        else if (response.status === 422) say("msgInvalid", "error");
        else say("msgFailed", "error");
      } catch (error) {
        say("msgOffline", "error");
      }
    });
  };

  const later = (delay) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  };
  form.addEventListener("change", (event) => {
    if (event.target.type !== "file") later(300);
  });
  form.addEventListener("input", (event) => {
    if (event.target.matches("textarea, input[type=text], input:not([type])")) later(1500);
  });
}

// Evidence on the visit pages: upload each chosen file at once, with progress and a thumbnail,
// and remove without reloading. Without JavaScript the files go with "Save and continue".
import { queueFile } from "./offline.js";
import { OWNER } from "./store.js";

const form = document.querySelector("form[data-autosave]");

const message = (key, values = {}) =>
  Object.entries(values).reduce(
    (text, [name, value]) => text.replace(`{${name}}`, value),
    (form && form.dataset[key]) || "",
  );

class Offline extends Error {}

const send = (url, data, onProgress) =>
  new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    Object.entries(OWNER).forEach(([name, value]) => xhr.setRequestHeader(name, value));
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(Math.round((100 * event.loaded) / event.total));
    });
    xhr.addEventListener("load", () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText || "{}");
      } catch (error) {
        body = {};
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(body.error ? body.error.message : message("msgUploadFailed"));
    });
    xhr.addEventListener("error", () => reject(new Offline()));
    xhr.send(data);
  });

const thumbItem = (entry, label, removeUrl, removeText) => {
  const li = document.createElement("li");
  if (entry.kind === "video") li.className = "video"; // the play mark (app.css)
  const img = document.createElement("img");
  img.src = entry.files.thumb;
  img.width = 96;
  img.height = 96;
  img.alt = label;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "link";
  button.textContent = removeText;
  button.dataset.removeUrl = removeUrl;
  li.append(img, button);
  return li;
};

const csrf = () => form.querySelector("input[name=csrf_token]").value;

if (form && window.XMLHttpRequest && window.FormData) {
  form.querySelectorAll("[data-evidence]").forEach((box) => {
    const input = box.querySelector("input[type=file]");
    const bar = box.querySelector("[data-progress]");
    const state = box.querySelector("[data-upload-state]");
    const list = box.querySelector("[data-thumbs]");
    const removeText = form.dataset.msgRemove || "×";
    input.addEventListener("change", async () => {
      for (const file of Array.from(input.files)) {
        const data = new FormData();
        data.append("csrf_token", csrf());
        data.append("item", box.dataset.item);
        data.append("file", file);
        bar.hidden = false;
        bar.value = 0;
        try {
          const made = await send(box.dataset.uploadUrl, data, (percent) => {
            bar.value = percent;
            state.textContent = message("msgUploading", { percent });
          });
          for (const entry of made) {
            const removeUrl = `${box.dataset.uploadUrl}/${entry.uuid}/remove`;
            list.append(thumbItem(entry, file.name, removeUrl, removeText));
          }
          state.textContent = message("msgUploaded");
        } catch (error) {
          if (error instanceof Offline) {
            // Keep it on the phone; it goes when the connection is back.
            await queueFile(form.dataset.visit, box.dataset.item, file, file.name);
            const li = document.createElement("li");
            const img = document.createElement("img");
            img.src = URL.createObjectURL(file);
            img.width = 96;
            img.height = 96;
            img.alt = file.name;
            li.append(img);
            list.append(li);
            state.textContent = message("msgFileKept");
          } else {
            state.textContent = String(error);
          }
        }
      }
      bar.hidden = true;
      input.value = "";
    });
    list.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-remove-url]");
      if (!button) return;
      event.preventDefault();
      if (!window.confirm(message("msgConfirmRemove"))) return; // asked first (issue 15)
      const data = new FormData();
      data.append("csrf_token", csrf());
      try {
        await send(button.dataset.removeUrl, data, () => {});
        button.closest("li").remove();
      } catch (error) {
        state.textContent = String(error);
      }
    });
  });
}

// portfolio_check pages: drag-and-drop upload, client-side size/type hints, status filter.
// The server checks everything again; this only saves a round trip.
"use strict";

(function () {
  const form = document.getElementById("check-form");
  if (form) {
    const input = document.getElementById("files");
    const zone = document.getElementById("dropzone");
    const list = document.getElementById("file-list");
    const problem = document.getElementById("client-problem");
    const button = document.getElementById("check-button");
    const maxBytes = Number(form.dataset.maxBytes);
    const maxFiles = Number(form.dataset.maxFiles);
    const accepted = form.dataset.accept.split(",");

    const size = (n) => (n >= 100000 ? (n / 1e6).toFixed(1) + " MB" : (n / 1e3).toFixed(1) + " kB");
    const extension = (name) => {
      const dot = name.lastIndexOf(".");
      return dot < 0 ? "" : name.slice(dot).toLowerCase();
    };

    function check() {
      const files = Array.from(input.files);
      list.replaceChildren();
      let total = 0;
      const wrong = [];
      for (const file of files) {
        total += file.size;
        if (!accepted.includes(extension(file.name))) wrong.push(file.name);
        const item = document.createElement("li");
        const name = document.createElement("span");
        name.textContent = file.name;
        const bytes = document.createElement("span");
        bytes.textContent = size(file.size);
        item.append(name, bytes);
        list.append(item);
      }
      let message = "";
      if (wrong.length) message = wrong.join(", ") + ": not a holdings spreadsheet (" + accepted.join(", ") + ").";
      else if (files.length > maxFiles) message = "Too many files: at most " + maxFiles + " at once.";
      else if (total > maxBytes) message = "The files come to " + size(total) + "; the limit is " + size(maxBytes) + ".";
      problem.textContent = message;
      problem.hidden = !message;
      return !message;
    }

    input.addEventListener("change", check);
    ["dragenter", "dragover"].forEach((type) =>
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.add("dragging");
      })
    );
    ["dragleave", "dragend"].forEach((type) =>
      zone.addEventListener(type, () => zone.classList.remove("dragging"))
    );
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("dragging");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        check();
      }
    });
    form.addEventListener("submit", (event) => {
      if (!check()) {
        event.preventDefault();
        return;
      }
      button.disabled = true;
      button.textContent = "Checking…";
    });
    window.addEventListener("pageshow", () => {
      button.disabled = false;
      button.textContent = "Check holdings";
    });
  }

  const table = document.getElementById("holdings");
  if (table) {
    const chips = Array.from(document.querySelectorAll("[data-filter]"));
    const rows = Array.from(table.querySelectorAll("tbody[data-status]"));
    const empty = document.getElementById("filter-empty");
    for (const chip of chips) {
      chip.addEventListener("click", () => {
        const wanted = chip.dataset.filter;
        chips.forEach((other) => other.setAttribute("aria-pressed", String(other === chip)));
        let shown = 0;
        for (const row of rows) {
          const status = row.dataset.status;
          const show = wanted === "all" || (wanted === "flagged" ? status !== "CLEAR" : status === wanted);
          row.hidden = !show;
          if (show) shown += 1;
        }
        empty.hidden = shown > 0;
      });
    }
  }
})();

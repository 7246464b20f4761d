// Playground: builds /v1/sequence.png and /v1/phone-number.png URLs from the form and shows the results.
// No external scripts: everything here is served by the package, so the page works offline.
"use strict";

const $ = (id) => document.getElementById(id);
let currentUrl = null;
let pending = 0;

function sequenceQuery() {
  const text = $("text").value;
  const params = new URLSearchParams({
    text,
    min_spacing: $("min-spacing").value || "0",
    max_spacing: $("max-spacing").value || "0",
    image_width: $("width").value || "300",
    dataset: $("dataset").value,
    augment: $("augment").value,
    seed: $("seed").value || "0",
  });
  return "/v1/sequence.png?" + params.toString();
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (Array.isArray(body.detail)) return body.detail.map((d) => d.msg).join("; ");
    return String(body.detail || response.statusText);
  } catch (e) {
    return response.status + " " + response.statusText;
  }
}

async function refreshSequence() {
  const ticket = ++pending;
  const response = await fetch(sequenceQuery());
  if (ticket !== pending) return; // a newer request superseded this one
  const error = $("error");
  if (!response.ok) {
    error.textContent = await errorMessage(response);
    error.hidden = false;
    return;
  }
  error.hidden = true;
  const blob = await response.blob();
  if (currentUrl) URL.revokeObjectURL(currentUrl);
  currentUrl = URL.createObjectURL(blob);
  const image = $("image");
  image.src = currentUrl;
  image.width = Math.min(1200, 3 * Number($("width").value || 300));
  image.height = 84;
  const label = response.headers.get("X-Label");
  image.alt = "Handwritten sequence: " + label;
  image.dataset.label = label;
  image.dataset.seed = response.headers.get("X-Seed");
  $("caption").textContent = `label "${label}", seed ${image.dataset.seed}`;
  const link = $("download");
  link.href = currentUrl;
  link.download = `sequence-${label.replace(/[^0-9A-Za-z-]/g, "_")}-seed${image.dataset.seed}.png`;
  link.setAttribute("aria-disabled", "false");
}

let timer = null;
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(refreshSequence, 150);
}

async function loadDatasets() {
  try {
    const response = await fetch("/v1/datasets");
    if (!response.ok) return;
    const select = $("dataset");
    select.innerHTML = "";
    for (const ds of await response.json()) {
      if (!ds.present) continue;
      const option = document.createElement("option");
      option.value = ds.name;
      option.textContent = ds.name;
      option.title = ds.description;
      select.appendChild(option);
    }
    select.value = "mnist";
  } catch (e) {
    /* keep the built-in option */
  }
}

async function refreshPhones(event) {
  if (event) event.preventDefault();
  const grid = $("phone-grid");
  grid.innerHTML = "";
  const count = Math.max(1, Math.min(48, Number($("phone-count").value) || 12));
  const first = Number($("phone-seed").value) || 0;
  const augment = $("phone-augment").value;
  const cells = [];
  for (let i = 0; i < count; i++) {
    const li = document.createElement("li");
    const img = document.createElement("img");
    const caption = document.createElement("span");
    img.width = 300;
    img.height = 28;
    li.append(img, caption);
    grid.appendChild(li);
    cells.push(
      fetch(`/v1/phone-number.png?seed=${first + i}&augment=${augment}`).then(async (response) => {
        if (!response.ok) {
          caption.textContent = await errorMessage(response);
          return;
        }
        const number = response.headers.get("X-Phone-Number");
        img.src = URL.createObjectURL(await response.blob());
        img.alt = "Handwritten phone number " + number;
        caption.textContent = number;
      })
    );
  }
  await Promise.all(cells);
}

function show(view) {
  for (const name of ["sequence", "phones"]) {
    const active = name === view;
    $("view-" + name).hidden = !active;
    $("tab-" + name).setAttribute("aria-pressed", String(active));
  }
  if (view === "phones" && !$("phone-grid").children.length) refreshPhones();
}

document.addEventListener("DOMContentLoaded", async () => {
  for (const id of ["text", "min-spacing", "max-spacing", "width", "seed"]) $(id).addEventListener("input", schedule);
  for (const id of ["dataset", "augment"]) $(id).addEventListener("change", refreshSequence);
  $("new-seed").addEventListener("click", () => {
    $("seed").value = String(Math.floor(Math.random() * 1e9));
    refreshSequence();
  });
  $("sequence-form").addEventListener("submit", (e) => {
    e.preventDefault();
    refreshSequence();
  });
  $("phones-form").addEventListener("submit", refreshPhones);
  $("tab-sequence").addEventListener("click", () => show("sequence"));
  $("tab-phones").addEventListener("click", () => show("phones"));
  await loadDatasets();
  refreshSequence();
});

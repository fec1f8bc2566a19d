// Territory page: the map and the checkboxes stay in step; ticking an EPCI ticks its communes.
(function () {
  const form = document.getElementById("territory-form");
  if (!form) return;
  const paint = (code, chosen) => {
    const path = form.querySelector(`path[data-insee="${code}"]`);
    if (path) path.classList.toggle("chosen", chosen);
  };
  const syncEpci = (fieldset) => {
    const epci = fieldset.querySelector(".epci-box");
    if (!epci) return;
    const boxes = [...fieldset.querySelectorAll(".commune-box")];
    epci.checked = boxes.length > 0 && boxes.every((b) => b.checked);
    epci.indeterminate = !epci.checked && boxes.some((b) => b.checked);
  };
  form.addEventListener("change", (event) => {
    const box = event.target;
    const fieldset = box.closest("fieldset");
    if (box.classList.contains("epci-box")) {
      fieldset.querySelectorAll(".commune-box").forEach((b) => { b.checked = box.checked; paint(b.value, b.checked); });
    } else if (box.classList.contains("commune-box")) {
      paint(box.value, box.checked);
      syncEpci(fieldset);
    }
  });
  form.addEventListener("click", (event) => {
    const path = event.target.closest("path[data-insee]");
    if (!path) return;
    const box = document.getElementById(`commune-${path.dataset.insee}`);
    if (!box) return;
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
  });
  form.querySelectorAll("fieldset").forEach(syncEpci);
})();

// Booking and day pages: print the confirmation, copy the SMS text, show the new-GP fields when ticked.
document.addEventListener("click", function (event) {
  const print = event.target.closest("[data-print]");
  if (print) {
    event.preventDefault();
    window.print();
  }
  const copy = event.target.closest("[data-copy]");
  if (copy) {
    const source = document.getElementById(copy.dataset.copy);
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        copy.textContent = "Copié";
      });
    }
  }
});

function toggleGpFields(box) {
  const target = document.getElementById(box.dataset.gpFields);
  if (target) target.hidden = !box.checked;
}

document.addEventListener("change", function (event) {
  if (event.target.matches("[data-gp-fields]")) toggleGpFields(event.target);
});

document.querySelectorAll("[data-gp-fields]").forEach(toggleGpFields);

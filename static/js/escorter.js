// Escorter: small behaviours shared by every page (no inline scripts: CSP forbids them).
document.addEventListener("htmx:responseError", function (event) {
  const status = event.detail.xhr.status;
  const text = status === 403
    ? "Accès refusé : votre rôle ne permet pas cette action."
    : "Une erreur est survenue (" + status + "). Réessayez ou contactez la coordination.";
  const box = document.createElement("div");
  box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3 shadow";
  box.setAttribute("role", "alert");
  box.textContent = text;
  document.body.appendChild(box);
  setTimeout(function () { box.remove(); }, 6000);
});

// A form with data-confirm asks before it is sent (cancelling an appointment, for instance).
document.addEventListener("submit", function (event) {
  const question = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

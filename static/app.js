// Samenspel's own script: small, optional enhancements. Every page works without it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // After a refused form, move focus to the summary of what needs fixing, so screen readers announce it.
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();

  // Destructive actions ask first: <form data-confirm="Weet je het zeker?">.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});

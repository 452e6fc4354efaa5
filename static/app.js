// Samenspel's own script: small, optional enhancements. Every page works without it.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // After a refused form, move focus to the summary of what needs fixing, so screen readers announce it.
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();
});

// Destructive actions ask first: <form data-confirm="Weet je het zeker?">. Delegated, so forms that
// arrive later (live updates) ask too.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});

// The portal's quick exit: leave at once for a neutral page, without leaving this page in the history, so
// the back button does not bring it back.
document.addEventListener("click", (event) => {
  const exit = event.target.closest("[data-quick-exit]");
  if (!exit) return;
  event.preventDefault();
  window.location.replace(exit.href);
});

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

// The portal's quick exit ("Snel weg", or Esc anywhere in the portal): end the session on the server and
// leave at once for a neutral page, replacing this page in the history so the back button does not bring
// it back. The logout is posted in the background (its form, with the CSRF token) and waited for at most
// half a second. Esc does nothing while a dialog is open: there it closes the dialog.
function quickExit(form) {
  let gone = false;
  const leave = () => {
    if (gone) return;
    gone = true;
    window.location.replace(form.dataset.quickExit);
  };
  fetch(form.action, {
    method: "POST",
    body: new URLSearchParams(new FormData(form)),
    credentials: "same-origin",
    redirect: "manual",
    keepalive: true,
  }).then(leave, leave);
  setTimeout(leave, 500);
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-quick-exit]");
  if (!form) return;
  event.preventDefault();
  quickExit(form);
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented) return;
  const form = document.querySelector("form[data-quick-exit]");
  if (!form || document.querySelector("dialog[open]")) return;
  event.preventDefault();
  quickExit(form);
});

// A portal page brought back from the back/forward cache asks the server again (which wants a login
// after the quick exit or a logout), instead of showing what was on it.
window.addEventListener("pageshow", (event) => {
  if (event.persisted && document.querySelector("form[data-quick-exit]")) window.location.reload();
});

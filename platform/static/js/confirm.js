// Forms that ask before they submit: <form data-confirm="question">. Replaces inline onsubmit handlers, which the
// Content-Security-Policy does not run.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset ? event.target.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);

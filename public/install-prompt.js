// Keeps Chromium's install offer if it comes before the app (wasm) has started; the app
// (src/pwa.rs) picks it up from window.__pmtInstallPrompt and shows an "Install app" button.
// A classic script file, not inline: the CSP allows no inline script.
window.addEventListener('beforeinstallprompt', (event) => {
  event.preventDefault();
  window.__pmtInstallPrompt = event;
});
window.addEventListener('appinstalled', () => {
  window.__pmtInstallPrompt = undefined;
});

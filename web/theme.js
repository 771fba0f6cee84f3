// Applies the theme chosen with the app's toggle before the page is drawn.
// The app remembers it with go-app's storage, as JSON ("light" or "dark");
// without a choice the system's preference (prefers-color-scheme) applies.
try {
  const theme = JSON.parse(localStorage.getItem("duplex.theme"));
  if (theme === "light" || theme === "dark") document.documentElement.dataset.theme = theme;
} catch (e) {
  // No storage (a sandboxed page) or no valid choice: the system's preference applies.
}

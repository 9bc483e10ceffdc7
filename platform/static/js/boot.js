// Loaded in <head> without defer (a file, as the CSP requires): mark the page as scripted before the first paint,
// so phone menus start folded instead of flashing open until ui.js runs.
document.documentElement.className = document.documentElement.className.replace(/\bno-js\b/, "js");

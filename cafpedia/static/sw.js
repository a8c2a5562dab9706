/* CAFpedia's service worker: reading on a weak signal or none.

   What it keeps (only pages the server marks with X-Cafpedia-Offline: save, for a signed-in
   person): the tips and guidance they open, every published tip and guidance page in their areas
   (the list at /offline/pages.json), and the advice line's numbers (/experts). Nothing else.

   - Pages come from the network first. With no signal, the saved copy opens with a notice:
     "Saved 29 Nov, 10:02. You are offline; this may have changed." When the network is slow
     and a copy is saved, the copy opens after a few seconds and the network's answer refreshes it.
   - A search with no signal looks through the saved pages' titles, and says so.
   - Signing out clears everything saved (so does a session that has ended, or another person
     signing in on the same phone). The server also sends Clear-Site-Data on signing out. */
"use strict";

const SHELL = "cafpedia-shell-v1";      // the offline page, the styles and the icon
const PAGES = "cafpedia-pages";         // saved pages: kept across versions of this worker
const META = "/offline/saved.json";     // whose pages these are, and when the list was last read
const SHELL_FILES = ["/offline", "/static/cafpedia.css", "/static/cafpedia.js", "/static/icons/cafpedia-192.png"];
const REFRESH_EVERY = 15 * 60 * 1000;   // read the list of pages to keep at most this often
const REDOWNLOAD_AFTER = 24 * 60 * 60 * 1000;  // a page whose version has not changed, at most daily
const SLOW = 4000;                       // a weak signal: after this long, open the saved copy
const AT_ONCE = 4;
const MOST_OPENED = 200;                 // pages opened outside a person's areas, kept at most                       // downloads in parallel while refreshing
const SIGN_OUT = ["/sign-out", "/account/sign-out-everywhere"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("cafpedia-shell-") && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && SIGN_OUT.includes(url.pathname)) {
    event.respondWith(signOut(request));
  } else if (request.method === "GET" && request.mode === "navigate") {
    // One network request: its answer goes to the page, and a copy to the saved pages.
    const started = generation;
    const network = fetch(request).then((response) => ({ response, copy: response.clone() }));
    event.respondWith(answer(request, network));
    event.waitUntil(network.then(({ copy }) => keep(copy, "opened", started)).then(() => refreshIfDue(), () => undefined));
  } else if (request.method === "POST" && request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => page("Not sent: you are offline", "<h1>Not sent: you are offline</h1>"
      + "<div class=\"notice notice-offline\" role=\"status\"><p>What you sent has not reached CAFpedia. "
      + "Go back, and send it again when you have a signal.</p></div>")));
  } else if (request.method === "GET" && url.pathname.startsWith("/static/")) {
    event.respondWith(staticFile(event));
  }
});

// --- Answering a page ------------------------------------------------------------------------

async function answer(request, network) {
  const saved = await savedCopy(request.url);
  try {
    const { response } = saved ? await within(network, SLOW) : await network;
    return response;
  } catch (problem) {
    if (saved) return withNotice(saved, problem === TOO_SLOW ? "slow" : "offline");
    const url = new URL(request.url);
    if (url.pathname === "/search") return offlineSearch(url.searchParams.get("q") || "");
    return notSaved();
  }
}

const TOO_SLOW = new Error("the network is slow");

function within(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(TOO_SLOW), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error) => { clearTimeout(timer); reject(error); });
  });
}

async function staticFile(event) {
  // Styles and icons: the saved copy at once, refreshed from the network behind it.
  const cached = await caches.match(event.request);
  const fresh = fetch(event.request).then(async (response) => {
    if (response.ok) await (await caches.open(SHELL)).put(event.request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(fresh.catch(() => undefined));
    return cached;
  }
  return fresh;
}

// --- Saved pages -----------------------------------------------------------------------------

function header(response, name) {
  const value = response.headers.get(name);
  return value === null ? "" : decodeURIComponent(value);
}

async function savedCopy(url) {
  return (await caches.open(PAGES)).match(url.split("#")[0]);
}

async function savedPages() {
  const cache = await caches.open(PAGES);
  const pages = [];
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname === META) continue;
    const response = await cache.match(request);
    if (response) pages.push({ url: request.url, title: header(response, "X-Cafpedia-Title"), response });
  }
  return pages.sort((a, b) => a.title.localeCompare(b.title, "en-GB"));
}

async function readMeta() {
  const response = await (await caches.open(PAGES)).match(META);
  return response ? response.json() : {};
}

async function writeMeta(meta) {
  const body = JSON.stringify(meta);
  await (await caches.open(PAGES)).put(META, new Response(body, { headers: { "Content-Type": "application/json" } }));
}

// Bumped by each clearing: a download begun before it (a refresh under way when the person
// signed out) is not saved after it.
let generation = 0;

async function clearAll() {
  generation += 1;
  await Promise.all((await caches.keys()).filter((name) => name.startsWith("cafpedia-")).map((name) => caches.delete(name)));
}

// Keep a response the server marked as savable; forget a page that has gone.
async function keep(response, why, started) {
  const url = response.url.split("#")[0];
  if (started !== generation) return;
  const savable = response.ok && !response.redirected && response.headers.get("X-Cafpedia-Offline") === "save";
  if (response.status === 404 || response.status === 410 || (response.ok && !response.redirected && !savable)) {
    await (await caches.open(PAGES)).delete(url);  // gone, archived, or no longer for keeping
    return;
  }
  if (!savable) return;
  const meta = await readMeta();
  const user = response.headers.get("X-Cafpedia-User");
  if (meta.user !== undefined && String(meta.user) !== user) {
    await clearAll();  // someone else signed in on this phone: nothing of the last person's stays
    started = generation;
    await writeMeta({ user, at: 0 });
  } else if (meta.user === undefined) {
    await writeMeta({ user, at: meta.at || 0 });
  }
  const body = await response.blob();
  if (started !== generation) return;
  const cache = await caches.open(PAGES);
  const before = await cache.match(url);
  const kept = why === "opened" || (before && before.headers.get("X-Cafpedia-Kept") === "opened") ? "opened" : "area";
  const headers = new Headers({ "Content-Type": response.headers.get("Content-Type") || "text/html; charset=utf-8" });
  for (const name of ["X-Cafpedia-Title", "X-Cafpedia-Saved", "X-Cafpedia-Version"]) headers.set(name, response.headers.get(name) || "");
  headers.set("X-Cafpedia-Kept", kept);
  headers.set("X-Cafpedia-Stored", String(Date.now()));
  if (started === generation) await cache.put(url, new Response(body, { headers }));
}

let refreshing = null;

function refreshIfDue() {
  refreshing = refreshing || refresh().finally(() => { refreshing = null; });
  return refreshing;
}

// Read the list of pages to keep; download those new or changed; drop those no longer listed.
async function refresh() {
  let started = generation;
  const meta = await readMeta();
  if (meta.at && Date.now() - meta.at < REFRESH_EVERY) return;
  let response;
  try {
    response = await fetch("/offline/pages.json", { credentials: "same-origin", cache: "no-store" });
  } catch (noSignal) {
    return;
  }
  if (response.status === 401) {
    await clearAll();  // signed out, or the session ended: a phone keeps nothing for nobody
    return;
  }
  if (!response.ok) return;
  const list = await response.json();
  if (meta.user !== undefined && String(meta.user) !== String(list.user)) {
    await clearAll();
    started = generation;
  }
  if (started !== generation) return;  // signed out while the list was on its way
  await writeMeta({ user: String(list.user), at: Date.now() });
  try {
    await (await caches.open(SHELL)).add("/offline");
  } catch (noSignal) { /* next time */ }

  const cache = await caches.open(PAGES);
  await forgetOldestOpened(cache);
  const wanted = new Map(list.pages.map((page) => [new URL(page.url, self.location.origin).href, page]));
  const downloads = [];
  for (const saved of await savedPages()) {
    const listed = wanted.get(saved.url);
    if (!listed && saved.response.headers.get("X-Cafpedia-Kept") !== "opened") {
      await cache.delete(saved.url);
    } else if (!listed) {
      // A page opened outside their areas: kept, and downloaded again daily.
      if (isStale(saved.response, saved.response.headers.get("X-Cafpedia-Version"))) downloads.push(saved.url);
    } else if (isStale(saved.response, listed.version)) {
      downloads.push(saved.url);
    }
    wanted.delete(saved.url);
  }
  downloads.push(...wanted.keys());
  const queue = downloads.slice();
  const worker = async () => {
    while (queue.length && started === generation) {
      const url = queue.shift();
      try {
        const page = await fetch(url, { credentials: "same-origin", headers: { "X-Cafpedia-Background": "refresh" } });
        await keep(page, "area", started);
      } catch (noSignal) {
        queue.length = 0;
      }
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
}

// Pages opened outside a person's areas are kept too, the most recent MOST_OPENED of them.
async function forgetOldestOpened(cache) {
  const opened = (await savedPages()).filter((p) => p.response.headers.get("X-Cafpedia-Kept") === "opened");
  opened.sort((a, b) => Number(b.response.headers.get("X-Cafpedia-Stored")) - Number(a.response.headers.get("X-Cafpedia-Stored")));
  for (const old of opened.slice(MOST_OPENED)) await cache.delete(old.url);
}

function isStale(response, version) {
  const stored = Number(response.headers.get("X-Cafpedia-Stored") || 0);
  return !version || response.headers.get("X-Cafpedia-Version") !== String(version) || Date.now() - stored > REDOWNLOAD_AFTER;
}

// --- Signing out -----------------------------------------------------------------------------

async function signOut(request) {
  await clearAll();
  try {
    return await fetch(request);
  } catch (noSignal) {
    return page("Signed out on this phone", "<h1>Signed out on this phone</h1>"
      + "<p>Everything CAFpedia had saved on this phone has been cleared.</p>"
      + "<p>You are offline, so your session could not be ended on the server. When you have a signal, "
      + "sign in and out again, or use “Sign out everywhere” from your account page on another device.</p>");
  }
}

// --- Pages made here, with no signal ---------------------------------------------------------

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

async function withNotice(saved, why) {
  const when = header(saved, "X-Cafpedia-Saved");
  const text = why === "slow"
    ? `Saved ${when}. The signal is weak, so this is the copy saved on this phone; this may have changed.`
    : `Saved ${when}. You are offline; this may have changed.`;
  const html = (await saved.text())
    .replace("<!--offline-notice-->", `<div class="notice notice-offline notice-saved" role="status"><p>${escapeHtml(text)}</p></div>`)
    .replace(/<!--flashes-->[\s\S]*?<!--\/flashes-->/, "");
  return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function pageList(pages) {
  if (!pages.length) return "";
  return "<ul class=\"saved-pages\">" + pages.map((p) => `<li><a href="${escapeHtml(p.url)}">${escapeHtml(p.title)}</a></li>`).join("") + "</ul>";
}

async function offlineSearch(query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const pages = await savedPages();
  const found = pages.filter((p) => words.every((word) => p.title.toLowerCase().includes(word)));
  const heading = words.length ? `Saved pages matching “${escapeHtml(query)}”` : "Saved pages";
  let body = `<h1>${heading}</h1>`
    + `<div class="notice notice-offline" role="status"><p>You are offline, so this searches only the titles of the ${pages.length} page${pages.length === 1 ? "" : "s"} saved on this phone. Search again when you have a signal to search everything.</p></div>`;
  if (!pages.length) body += "<p>Nothing is saved on this phone yet: pages are saved when you open them while signed in.</p>";
  else if (!found.length) body += `<p>No saved page has “${escapeHtml(query)}” in its title.</p><h2>Everything saved on this phone</h2>${pageList(pages)}`;
  else body += `<p>${found.length} saved page${found.length === 1 ? "" : "s"}:</p>${pageList(found)}`;
  return page(words.length ? `Saved pages matching “${query}”` : "Saved pages", body, query);
}

async function notSaved() {
  const pages = await savedPages();
  const body = "<h1>This page is not saved on this phone</h1>"
    + "<div class=\"notice notice-offline\" role=\"status\"><p>You are offline. Only pages saved on this phone can open until you have a signal.</p></div>"
    + (pages.length ? `<h2>Saved on this phone</h2>${pageList(pages)}` : "<p>Nothing is saved on this phone yet: pages are saved when you open them while signed in.</p>");
  return page("Not saved on this phone", body);
}

// The offline page (saved when the worker was installed), with `body` in place of its text.
async function page(title, body, query = "") {
  const shell = await caches.match("/offline");
  let html;
  if (shell) {
    html = (await shell.text())
      .replace(/<title>[\s\S]*?<\/title>/, `<title>${escapeHtml(title)} – CAFpedia</title>`)
      .replace(/<!--offline-content-->[\s\S]*?<!--\/offline-content-->/, `<div class="offline-page">${body}</div>`)
      .replace(/<!--flashes-->[\s\S]*?<!--\/flashes-->/, "");
    if (query) html = html.replace(/(<input id="site-search"[^>]*?value=")"/, `$1${escapeHtml(query)}"`);
  } else {
    html = `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`
      + `<title>${escapeHtml(title)} – CAFpedia</title><link rel="stylesheet" href="/static/cafpedia.css"></head>`
      + `<body><main id="main" class="wrap">${body}</main></body></html>`;
  }
  return new Response(html, { headers: { "Content-Type": "text/html; charset=utf-8" } });
}

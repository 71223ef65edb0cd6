// The console refreshes its live regions ([data-live]) when the server says something changed.
"use strict";
(() => {
  const live = document.getElementById("live");
  const transcript = () => document.getElementById("transcript");
  let timer = null, busy = false;

  const bottom = (node) => node && node.scrollHeight - node.scrollTop - node.clientHeight < 80;
  const toBottom = () => { const t = transcript(); if (t) t.scrollTop = t.scrollHeight; };

  async function refresh() {
    if (busy) { schedule(); return; }
    busy = true;
    try {
      const stick = bottom(transcript());
      const r = await fetch(location.href, { headers: { "X-Live": "1" }, credentials: "same-origin" });
      if (!r.ok) return;
      const doc = new DOMParser().parseFromString(await r.text(), "text/html");
      doc.querySelectorAll("[data-live]").forEach((fresh) => {
        const old = document.getElementById(fresh.id);
        if (old && old.innerHTML !== fresh.innerHTML) old.innerHTML = fresh.innerHTML;
      });
      if (stick) toBottom();
      ages();
    } finally { busy = false; }
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, 250); }

  function ages() {
    const now = Date.now();
    document.querySelectorAll("time[data-ago]").forEach((t) => {
      const at = Date.parse(t.getAttribute("datetime"));
      if (Number.isNaN(at)) return;
      const min = Math.floor((now - at) / 60000);
      let s;
      if (min < 1) s = "только что";
      else if (min < 60) s = `${min} мин назад`;
      else if (min < 1440) s = `${Math.floor(min / 60)} ч назад`;
      else { const d = Math.floor(min / 1440); s = `${d} ${d % 10 === 1 && d % 100 !== 11 ? "день" : (d % 10 >= 2 && d % 10 <= 4 && (d % 100 < 12 || d % 100 > 14)) ? "дня" : "дней"} назад`; }
      t.textContent = s;
    });
  }

  // A browser keeps ~6 connections per host: a page that is left (or kept in the
  // back-forward cache) must give its stream back, or other pages' requests would wait.
  let source = null;
  function connect() {
    if (source || !document.querySelector("[data-live]")) return;
    source = new EventSource("/manager/events");
    source.addEventListener("open", () => live && live.classList.add("on"));
    source.addEventListener("error", () => live && live.classList.remove("on"));
    source.addEventListener("changed", schedule);
  }
  window.addEventListener("pagehide", () => { if (source) { source.close(); source = null; } });
  window.addEventListener("pageshow", (e) => { connect(); if (e.persisted) refresh(); });
  connect();
  setInterval(ages, 30000);
  toBottom();

  const reply = document.getElementById("manager-text");
  if (reply) reply.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); reply.form.requestSubmit(); }
  });
})();

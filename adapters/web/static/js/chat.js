// The sandbox chat: write as a customer, see Alina's parts arrive over Server-Sent Events.
// Every customer or bot text is put on the page with textContent, never as HTML.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const app = $("app"), list = $("chat-list"), box = $("messages"), text = $("text");
  const params = new URLSearchParams(location.search);
  const pace = params.has("pace") ? Number(params.get("pace")) : 1;
  const headers = { "X-Requested-With": "ottenok" };
  let chat = null, source = null, lastId = 0, lastDay = "";
  const shown = new Set(), pending = new Map(), queue = [];
  let revealing = false, typingOn = false, recordingSince = 0;

  const el = (tag, cls, txt) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (txt !== undefined) node.textContent = txt;
    return node;
  };
  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("")).replace(/-/g, "");
  const hhmm = (iso) => (iso ? new Date(iso) : new Date()).toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit" });
  const dayOf = (iso) => {
    const d = iso ? new Date(iso) : new Date();
    const today = new Date();
    if (d.toDateString() === today.toDateString()) return "Сегодня";
    return d.toLocaleDateString("ru-RU", { day: "numeric", month: "long" });
  };
  const formatPhone = (p) => (p && p.length === 11 ? `+${p[0]} ${p.slice(1, 4)} ${p.slice(4, 7)} ${p.slice(7, 9)} ${p.slice(9)}` : p || "");
  const nameFor = (phone) => localStorage.getItem(`ottenok.name.${phone}`) || "";

  function scrollDown() { box.scrollTop = box.scrollHeight; }

  function daySeparator(iso) {
    const day = dayOf(iso);
    if (day !== lastDay) { lastDay = day; box.append(el("div", "day", day)); }
  }

  function render(m) {
    const mine = m.direction === "in";
    const b = el("div", `bubble ${mine ? "out" : "in"}`);
    b.dataset.id = m.id || "";
    if (m.wa_id) b.dataset.wa = m.wa_id;
    if (m.nudge) b.append(el("div", "tag", "Напоминание"));
    const src = m.photo_url || m.image_url || m.preview;
    if (src) {
      const img = el("img", "photo");
      img.src = src; img.alt = mine ? "Ваше фото" : "Фото товара"; img.loading = "lazy";
      img.addEventListener("load", () => { if (nearBottom()) scrollDown(); });
      b.append(img);
    }
    if (m.kind === "audio") {
      const v = el("div", "voice");
      v.append(el("span", "play"), el("span", "wave"));
      b.append(v);
    } else if (m.kind !== "text" && m.kind !== "photo" && !m.text && !src) {
      b.append(el("div", "kind-note", m.kind === "image" ? "Фото" : m.kind));
    }
    if (m.text) b.append(el("div", "text", m.text));
    const meta = el("span", "meta", hhmm(m.at));
    if (mine) {
      const ticks = el("span", "ticks", m.id ? "✓✓" : "✓");
      meta.append(ticks);
    }
    b.append(meta);
    return b;
  }

  function nearBottom() { return box.scrollHeight - box.scrollTop - box.clientHeight < 120; }

  function append(m) {
    if (m.id) shown.add(m.id);
    daySeparator(m.at);
    hideTyping();
    box.append(render(m));
    if (typingOn || revealing) showTyping();
    scrollDown();
  }

  function showTyping() {
    if (!$("typing")) box.append($("tpl-typing").content.cloneNode(true));
    else box.append($("typing"));
    $("peer-status").textContent = "печатает…";
    $("peer-status").classList.add("typing");
    scrollDown();
  }
  function hideTyping() {
    const t = $("typing");
    if (t) t.remove();
    $("peer-status").textContent = "в сети";
    $("peer-status").classList.remove("typing");
  }

  function markRead() {
    box.querySelectorAll(".bubble.out .ticks").forEach((t) => { t.textContent = "✓✓"; t.classList.add("read"); });
  }

  async function reveal() {
    if (revealing) return;
    revealing = true;
    while (queue.length) {
      const m = queue.shift();
      if (pace) {
        showTyping();
        const wait = Math.min(2000, 450 + (m.text || "").length * 9) * pace;
        await new Promise((r) => setTimeout(r, wait));
      }
      markRead();
      append(m);
    }
    revealing = false;
    if (!typingOn) hideTyping();
  }

  function take(rows, live) {
    for (const m of rows) {
      lastId = Math.max(lastId, m.id);
      if (shown.has(m.id)) continue;
      const mine = m.direction === "in";
      const optimistic = mine && m.wa_id && pending.get(m.wa_id);
      if (optimistic) {
        shown.add(m.id);
        optimistic.dataset.id = m.id;
        pending.delete(m.wa_id);
        continue;
      }
      if (!mine && live) { shown.add(m.id); queue.push(m); } else { append(m); }
    }
    if (queue.length) reveal();
  }

  async function loadChats() {
    const r = await fetch("/sandbox/api/chats");
    const data = await r.json();
    list.replaceChildren();
    for (const c of data.chats) {
      const li = el("li");
      if (chat && chat.phone === c.phone) li.className = "on";
      const btn = el("button");
      btn.type = "button";
      const name = c.name || nameFor(c.phone) || formatPhone(c.phone);
      const av = el("span", "wa-avatar", (name[0] || "?").toUpperCase());
      const mid = el("span");
      mid.append(el("div", "name", name), el("div", "last", c.last_text || (c.last_kind && c.last_kind !== "text" ? "📷 Фото" : formatPhone(c.phone))));
      btn.append(av, mid, el("span", "when", c.last_at ? hhmm(c.last_at) : ""));
      btn.addEventListener("click", () => openChat(c.phone));
      li.append(btn);
      list.append(li);
    }
  }

  async function openChat(phone) {
    if (source) source.close();
    chat = { phone, name: nameFor(phone) };
    shown.clear(); pending.clear(); queue.length = 0; lastId = 0; lastDay = "";
    box.replaceChildren(); hideTyping();
    $("empty").hidden = true; $("chat").hidden = false; app.classList.add("open");
    $("me").textContent = `Вы: ${chat.name || "покупатель"} · ${formatPhone(phone)}`;
    const url = new URL(location.href);
    url.searchParams.set("chat", phone);
    history.replaceState(null, "", url);
    const r = await fetch(`/sandbox/api/chats/${phone}/messages`);
    if (!r.ok) { $("chat").hidden = true; $("empty").hidden = false; return; }
    take((await r.json()).messages, false);
    markRead();
    listen();
    loadChats();
    text.focus();
  }

  function listen() {
    source = new EventSource(`/sandbox/api/chats/${chat.phone}/events?after=${lastId}`);
    source.addEventListener("messages", (e) => { take(JSON.parse(e.data), true); loadChats(); });
    source.addEventListener("typing", (e) => {
      typingOn = JSON.parse(e.data).on;
      if (typingOn) showTyping(); else if (!revealing) hideTyping();
    });
  }

  async function post(body, optimistic) {
    const isForm = body instanceof FormData;
    const r = await fetch(`/sandbox/api/chats/${chat.phone}/messages`, {
      method: "POST",
      headers: isForm ? headers : { ...headers, "Content-Type": "application/json" },
      body: isForm ? body : JSON.stringify(body),
    });
    if (!r.ok) {
      const err = (await r.json().catch(() => ({}))).error || "не отправлено";
      optimistic.querySelector(".meta").textContent = `⚠ ${err}`;
      return;
    }
    const t = optimistic.querySelector(".ticks");
    if (t) t.textContent = "✓";
  }

  function sendOptimistic(m) {
    daySeparator();
    const b = render({ ...m, direction: "in" });
    pending.set(m.wa_id, b);
    hideTyping();
    box.append(b);
    scrollDown();
    return b;
  }

  $("compose").addEventListener("submit", (e) => {
    e.preventDefault();
    if (recordingSince) return stopVoice();
    const value = text.value.trim();
    if (!value || !chat) return;
    const id = newId();
    const b = sendOptimistic({ wa_id: `web-${id}`, kind: "text", text: value });
    text.value = ""; text.style.height = "";
    post({ id, text: value, name: chat.name }, b);
  });
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("compose").requestSubmit(); }
  });
  text.addEventListener("input", () => { text.style.height = ""; text.style.height = `${Math.min(text.scrollHeight, 140)}px`; });

  function stopVoice() {
    recordingSince = 0;
    $("voice").classList.remove("recording");
    text.disabled = false; text.placeholder = "Сообщение";
    const id = newId();
    const b = sendOptimistic({ wa_id: `web-voice-${id}`, kind: "audio", text: "" });
    post({ id, kind: "audio", name: chat.name }, b);
  }
  $("voice").addEventListener("click", () => {
    if (!chat) return;
    if (recordingSince) return stopVoice();
    recordingSince = Date.now();
    $("voice").classList.add("recording");
    text.disabled = true; text.placeholder = "Запись… нажмите ещё раз, чтобы отправить";
  });

  let picked = null;
  $("attach-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (!file) return;
    picked = await shrink(file);
    $("attach-preview").src = URL.createObjectURL(picked);
    $("attach-caption").value = text.value.trim();
    $("attach-panel").hidden = false;
    $("attach-caption").focus();
  });
  $("attach-cancel").addEventListener("click", () => { picked = null; $("attach-panel").hidden = true; });
  $("attach-send").addEventListener("click", () => {
    if (!picked || !chat) return;
    const id = newId(), caption = $("attach-caption").value.trim();
    const form = new FormData();
    form.append("id", id); form.append("caption", caption); form.append("name", chat.name || "");
    form.append("image", picked, "photo.jpg");
    const b = sendOptimistic({ wa_id: `web-img-${id}`, kind: caption ? "text" : "image", text: caption, preview: $("attach-preview").src });
    $("attach-panel").hidden = true; text.value = ""; picked = null;
    post(form, b);
  });

  // Phones send big photos: scale to 1280 px JPEG before upload (the server takes up to 2 MB).
  async function shrink(file) {
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return await new Promise((r) => canvas.toBlob(r, "image/jpeg", 0.86));
    } catch { return file; }
  }

  $("new-chat").addEventListener("submit", async (e) => {
    e.preventDefault();
    const phone = $("new-phone").value, name = $("new-name").value.trim();
    const r = await fetch("/sandbox/api/chats", {
      method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body: JSON.stringify({ phone }),
    });
    const data = await r.json();
    if (!r.ok) { $("new-error").textContent = data.error; $("new-error").hidden = false; return; }
    $("new-error").hidden = true;
    if (name) localStorage.setItem(`ottenok.name.${data.phone}`, name);
    openChat(data.phone);
  });
  $("back").addEventListener("click", () => { app.classList.remove("open"); if (source) source.close(); chat = null; });

  // Give the stream back when the page is left, so other pages' requests never wait for it.
  window.addEventListener("pagehide", () => { if (source) { source.close(); source = null; } });
  window.addEventListener("pageshow", (e) => { if (e.persisted && chat) openChat(chat.phone); });

  $("new-phone").value = `+7 701 ${String(Math.floor(1e6 + Math.random() * 8999999)).replace(/(\d{3})(\d{2})(\d{2})/, "$1 $2 $3")}`;
  loadChats();
  if (params.get("chat")) openChat(params.get("chat"));
})();

/*
 * Agent console: plain JavaScript, no build step. Everything shown comes from the JSON
 * API and is written with textContent, never as markup. A websocket tells the page when
 * something changed; the page then re-reads what it shows (the API checks permissions).
 */
(function () {
  "use strict";
  var csrf = null, me = null, current = null, canned = [], socket = null, queueLoadedAt = 0;
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function notify(message) {
    var box = $("notice");
    box.textContent = message;
    box.hidden = false;
    clearTimeout(notify.timer);
    notify.timer = setTimeout(function () { box.hidden = true; }, 6000);
  }

  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (csrf && method !== "GET") headers["X-CSRF-Token"] = csrf;
    return fetch(path, { method: method, headers: headers, credentials: "same-origin",
                         body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 401 && path !== "/api/v1/agent/login") { showLogin(); }
          if (!response.ok) { throw new Error(data.error || ("HTTP " + response.status)); }
          return data;
        });
      });
  }

  function showLogin() {
    me = null; csrf = null;
    if (socket) { socket.onclose = null; socket.close(); socket = null; }
    $("app").hidden = true;
    $("login").hidden = false;
  }

  function start(data) {
    me = data.agent; csrf = data.csrf_token;
    $("login").hidden = true;
    $("app").hidden = false;
    $("me").textContent = me.display_name + (me.supervisor ? " (supervisor)" : "");
    $("skills").textContent = me.skills.join(", ") + " · " + me.languages.join(", ");
    $("status").value = me.status;
    $("canned-form").hidden = !me.supervisor;  // every agent uses them; supervisors change them
    connectLive();
    loadQueue();
    loadCanned();
  }

  // ---- queue -------------------------------------------------------------------------
  function minutes(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function conversationButton(item, waiting) {
    var button = el("button");
    button.type = "button";
    button.dataset.id = item.id;
    if (current && current.id === item.id) button.classList.add("selected");
    if (item.priority === "high") button.appendChild(el("span", "badge high", "high"));
    button.appendChild(el("span", "badge", (item.language || "?").toUpperCase()));
    button.appendChild(el("span", "badge", item.channel));
    button.appendChild(el("span", "badge", item.skill || "technical"));
    if (waiting) {
      var clock = el("span", "badge waiting", minutes(item.waiting_seconds));
      clock.dataset.seconds = item.waiting_seconds;
      button.appendChild(clock);
      if (!item.matched) button.appendChild(el("span", "badge unmatched", "no matching agent available"));
    }
    var reasons = el("div", "reasons");
    (item.reasons || []).forEach(function (reason) { reasons.appendChild(el("span", "badge reason", reason)); });
    button.appendChild(reasons);
    button.addEventListener("click", function () { openConversation(item.id); });
    return button;
  }

  function loadQueue() {
    return api("GET", "/api/v1/agent/queue").then(function (data) {
      queueLoadedAt = Date.now();
      var mine = $("mine"), waiting = $("queue"), back = $("handed-back");
      mine.replaceChildren();
      waiting.replaceChildren();
      back.replaceChildren();
      data.mine.forEach(function (item) { var li = el("li"); li.appendChild(conversationButton(item, false)); mine.appendChild(li); });
      data.handed_back.forEach(function (item) { var li = el("li"); li.appendChild(conversationButton(item, false)); back.appendChild(li); });
      data.queue.forEach(function (item) { var li = el("li"); li.appendChild(conversationButton(item, true)); waiting.appendChild(li); });
      if (!data.mine.length) mine.appendChild(el("li", "empty", "none"));
      if (!data.handed_back.length) back.appendChild(el("li", "empty", "none"));
      if (!data.queue.length) waiting.appendChild(el("li", "empty", "nobody waiting"));
    }).catch(function (error) { notify(error.message); });
  }

  setInterval(function () {  // waiting times tick without asking the server
    var elapsed = Math.floor((Date.now() - queueLoadedAt) / 1000);
    document.querySelectorAll("#queue .waiting").forEach(function (clock) {
      clock.textContent = minutes(Number(clock.dataset.seconds) + elapsed);
    });
  }, 1000);

  // ---- one conversation --------------------------------------------------------------
  var AUTHOR = { customer: "Customer", bot: "Bot", system: "Desk" };

  function openConversation(id) {
    return api("GET", "/api/v1/agent/conversations/" + encodeURIComponent(id)).then(showConversation)
      .catch(function (error) { notify(error.message); });
  }

  function showConversation(data) {
    var conversation = data.conversation;
    current = conversation;
    $("conversation").hidden = false;
    $("conversation-title").textContent = (conversation.language || "?").toUpperCase() + " · " + conversation.channel +
      " · " + (conversation.skill || "") + (conversation.priority === "high" ? " · high priority" : "");
    $("conversation-state").textContent = "State: " + conversation.state +
      (conversation.owner ? " (" + conversation.owner + ")" : "") +
      (conversation.csat ? " · CSAT " + conversation.csat + "/5" : "");
    var reasons = $("reasons");
    reasons.replaceChildren();
    (conversation.reasons || []).forEach(function (reason) { reasons.appendChild(el("span", "badge reason", reason)); });
    var scores = conversation.scores || {};
    if (conversation.confidence !== null && conversation.confidence !== undefined) {
      reasons.appendChild(el("span", "badge", "confidence " + conversation.confidence));
    }
    if (scores.intent) reasons.appendChild(el("span", "badge", "intent " + scores.intent));
    if (scores.margin !== undefined) reasons.appendChild(el("span", "badge", "margin " + scores.margin));
    if (scores.sensitivity && scores.sensitivity.topic && scores.sensitivity.topic !== "none") {
      reasons.appendChild(el("span", "badge", scores.sensitivity.topic + " " + scores.sensitivity.score));
    }
    $("summary").textContent = conversation.summary || "—";

    var transcript = $("transcript");
    transcript.replaceChildren();
    data.messages.forEach(function (message) {
      var item = el("li", message.author);
      var who = message.author === "agent" ? ((message.payload || {}).sender_name || "Agent") : AUTHOR[message.author];
      item.appendChild(el("span", "who", who + " · " + new Date(message.created_at).toLocaleTimeString()));
      item.appendChild(document.createTextNode(message.text));
      transcript.appendChild(item);
    });
    transcript.scrollTop = transcript.scrollHeight;

    $("claim").hidden = conversation.state !== "queued";
    $("owner-actions").hidden = !(conversation.state === "agent" && conversation.mine);
    $("close").hidden = !(conversation.mine && (conversation.state === "agent" || conversation.state === "bot"));
    showSuggestions(data.suggestions || []);
    fillCannedSelect();
    showCustomer(data.customer || {});
    document.querySelectorAll("nav button").forEach(function (button) {
      button.classList.toggle("selected", button.dataset.id === conversation.id);
    });
  }

  function showSuggestions(list) {
    var box = $("suggestions");
    box.replaceChildren();
    if (list.length) box.appendChild(el("div", "label", "Suggested replies"));
    list.forEach(function (suggestion) {
      var button = el("button", "suggestion", suggestion.text);
      button.type = "button";
      button.title = suggestion.source + (suggestion.shortcut ? " /" + suggestion.shortcut : "") + " · " + suggestion.score;
      button.addEventListener("click", function () { insert(suggestion.text); });
      box.appendChild(button);
    });
  }

  function showCustomer(context) {
    var aside = $("customer");
    aside.replaceChildren(el("h2", "", "Customer"));
    if (context.unavailable) { aside.appendChild(el("p", "", context.unavailable)); return; }
    var list = el("dl");
    if (context.customer && context.customer.verified) {
      list.appendChild(el("dt", "", context.customer.name));
      list.appendChild(el("dd", "", "verified via channel"));
    } else if (context.customer) {
      list.appendChild(el("dd", "", "Known channel identity, not verified."));
    } else {
      list.appendChild(el("dd", "", "Not identified by the channel."));
    }
    list.appendChild(el("dt", "", "Orders"));
    if (!(context.orders || []).length) list.appendChild(el("dd", "", "none mentioned"));
    (context.orders || []).forEach(function (order) {
      list.appendChild(el("dd", "order", order.code + ": " + order.status + (order.verified ? "" : " (named in the chat)") +
        (order.expected_on ? " (expected " + order.expected_on + ")" : "") +
        (order.carrier ? " · " + order.carrier + " " + (order.tracking_number || "") : "")));
    });
    if ((context.accounts || []).length) {
      list.appendChild(el("dt", "", "Accounts"));
      context.accounts.forEach(function (account) {
        list.appendChild(el("dd", "account", account.number + " " + account.type + ": " + account.balance + " " + account.currency));
      });
    }
    aside.appendChild(list);
  }

  function act(name, body) {
    if (!current) return Promise.resolve();
    return api("POST", "/api/v1/agent/conversations/" + encodeURIComponent(current.id) + "/" + name, body)
      .then(function () { return Promise.all([openConversation(current.id), loadQueue()]); })
      .catch(function (error) { notify(error.message); return Promise.all([loadQueue(), current && openConversation(current.id)]); });
  }

  function expand(text) {  // canned texts may say {name}: the agent's own name
    return text.replace(/\{name\}/g, me ? me.display_name : "");
  }

  function insert(text) {
    text = expand(text);
    var box = $("reply");
    box.value = box.value ? box.value + " " + text : text;
    box.focus();
  }

  function sendReply() {
    var text = $("reply").value.trim();
    if (!text) return;
    $("reply").value = "";
    act("messages", { text: text });
  }

  // ---- canned responses --------------------------------------------------------------
  function loadCanned() {
    return api("GET", "/api/v1/agent/canned").then(function (data) {
      canned = data.canned;
      fillCannedSelect();
      fillCannedList();
    }).catch(function (error) { notify(error.message); });
  }

  function cannedFor(language) {
    return canned.filter(function (item) { return item.language === language; });
  }

  function fillCannedSelect() {
    var select = $("canned-select");
    select.replaceChildren(el("option", "", "Canned response …"));
    select.firstChild.value = "";
    cannedFor(current ? current.language : "en").forEach(function (item) {
      var option = el("option", "", "/" + item.shortcut);
      option.value = item.text;
      select.appendChild(option);
    });
  }

  function fillCannedList() {
    var list = $("canned-list"), language = $("canned-language").value;
    list.replaceChildren();
    cannedFor(language).forEach(function (item) {
      var li = el("li");
      li.appendChild(el("strong", "", "/" + item.shortcut + " "));
      li.appendChild(el("span", "", item.text));
      var edit = el("button", "", "Edit"), remove = el("button", "", "Delete");
      edit.type = remove.type = "button";
      edit.hidden = remove.hidden = !me.supervisor;
      edit.addEventListener("click", function () {
        $("canned-id").value = item.id; $("canned-shortcut").value = item.shortcut; $("canned-text").value = item.text;
      });
      remove.addEventListener("click", function () {
        api("DELETE", "/api/v1/agent/canned/" + item.id).then(loadCanned).catch(function (e) { notify(e.message); });
      });
      li.appendChild(edit); li.appendChild(remove);
      list.appendChild(li);
    });
  }

  // ---- live updates ------------------------------------------------------------------
  function connectLive() {
    var url = location.origin.replace(/^http/, "ws") + "/api/v1/agent/live";
    socket = new WebSocket(url);
    socket.onopen = function () { $("live").classList.add("on"); loadQueue(); };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      loadQueue();
      if (current && data.conversation === current.id) openConversation(current.id);
    };
    socket.onclose = function () {
      $("live").classList.remove("on");
      if (me) setTimeout(connectLive, 2000);
    };
  }

  // ---- wiring ------------------------------------------------------------------------
  document.addEventListener("DOMContentLoaded", function () {
    $("login").addEventListener("submit", function (event) {
      event.preventDefault();
      api("POST", "/api/v1/agent/login", { username: $("username").value, password: $("password").value })
        .then(function (data) { $("password").value = ""; start(data); })
        .catch(function (error) { notify(error.message); });
    });
    $("logout").addEventListener("click", function () {
      api("POST", "/api/v1/agent/logout").then(showLogin).catch(function (error) { notify(error.message); });
    });
    $("status").addEventListener("change", function () {
      api("POST", "/api/v1/agent/status", { status: $("status").value }).then(loadQueue)
        .catch(function (error) { notify(error.message); });
    });
    $("claim").addEventListener("click", function () { act("claim"); });
    $("send").addEventListener("click", sendReply);
    $("handback").addEventListener("click", function () { act("handback"); });
    $("close").addEventListener("click", function () { act("close"); });
    $("transfer").addEventListener("click", function () { act("transfer", { skill: $("transfer-skill").value }); });
    $("canned-select").addEventListener("change", function () {
      if ($("canned-select").value) insert($("canned-select").value);
      $("canned-select").value = "";
    });
    $("reply").addEventListener("keydown", function (event) {
      var box = $("reply");
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); sendReply(); return; }
      if (event.key !== "Tab") return;
      var match = /(^|\s)\/([\w-]+)$/.exec(box.value);  // "/shortcut" right before the cursor
      var found = match && cannedFor(current ? current.language : "en").filter(function (item) {
        return item.shortcut === match[2];
      })[0];
      if (found) {
        event.preventDefault();
        box.value = box.value.slice(0, box.value.length - match[2].length - 1) + expand(found.text);
      }
    });
    $("show-canned").addEventListener("click", function () { $("canned").hidden = !$("canned").hidden; });
    $("canned-language").addEventListener("change", fillCannedList);
    $("canned-new").addEventListener("click", function () {
      $("canned-id").value = ""; $("canned-shortcut").value = ""; $("canned-text").value = "";
    });
    $("canned-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var id = $("canned-id").value;
      var body = { language: $("canned-language").value, shortcut: $("canned-shortcut").value, text: $("canned-text").value };
      api(id ? "PUT" : "POST", "/api/v1/agent/canned" + (id ? "/" + id : ""), body)
        .then(function () { $("canned-new").click(); return loadCanned(); })
        .catch(function (error) { notify(error.message); });
    });
    api("GET", "/api/v1/agent/me").then(start).catch(showLogin);
  });
})();

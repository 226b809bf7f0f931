/*
 * Support chat widget: one <script> tag, no build step, no dependencies.
 *
 *   <script src="https://desk.example.com/widget.js" data-language="de" data-title="Hilfe"></script>
 *
 * It speaks socket.io v5 (Engine.IO 4) over a plain WebSocket, the same events as
 * Rasa's socketio channel (session_request/session_confirm, user_uttered, bot_uttered).
 * The widget lives in a shadow root, so the page's styles and ours never touch.
 * window.SupportWidget.setLanguage("ru") changes the language hint sent with messages.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var server = (script && script.getAttribute("data-server")) || (script ? new URL(script.src).origin : location.origin);
  var language = (script && script.getAttribute("data-language")) || (navigator.language || "en").slice(0, 2);
  var title = (script && script.getAttribute("data-title")) || "Support";
  var storageKey = "support-widget-session:" + server;

  var host = document.createElement("div");
  host.id = "support-widget";
  var root = host.attachShadow({ mode: "open" });
  root.innerHTML =
    "<style>" +
    ":host{all:initial}" +
    ".box{position:fixed;right:16px;bottom:16px;width:320px;max-height:480px;display:flex;flex-direction:column;" +
    "font:14px/1.4 system-ui,sans-serif;color:#1d1d1f;background:#fff;border:1px solid #ccd;border-radius:12px;" +
    "box-shadow:0 6px 24px rgba(0,0,0,.15);overflow:hidden;z-index:2147483000}" +
    ".head{background:#24527a;color:#fff;padding:10px 12px;font-weight:600}" +
    ".agent{font-weight:400;font-size:12px;opacity:.9}" +
    ".log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:6px;min-height:200px}" +
    ".msg{max-width:85%;padding:6px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}" +
    ".customer{align-self:flex-end;background:#dcecff}" +
    ".bot,.agent-msg,.system{align-self:flex-start;background:#f0f0f3}" +
    ".name{display:block;font-size:11px;color:#555}" +
    ".replies button{margin:2px;border:1px solid #24527a;background:#fff;color:#24527a;border-radius:12px;padding:2px 8px;cursor:pointer}" +
    "form{display:flex;border-top:1px solid #dde}" +
    "input{flex:1;border:0;padding:10px;font:inherit}" +
    "button.send{border:0;background:#24527a;color:#fff;padding:0 14px;font:inherit;cursor:pointer}" +
    ".error{color:#a00;font-size:12px;padding:0 10px}" +
    "</style>" +
    '<div class="box" part="box"><div class="head"><span class="title"></span><div class="agent" hidden></div></div>' +
    '<div class="log" role="log" aria-live="polite"></div><div class="error" role="alert"></div>' +
    '<form><input name="message" autocomplete="off" aria-label="Message"><button class="send" type="submit">&#10148;</button></form></div>';
  root.querySelector(".title").textContent = title;
  var log = root.querySelector(".log");
  var agentLine = root.querySelector(".agent");
  var errorLine = root.querySelector(".error");
  var input = root.querySelector("input");

  var logKey = "support-widget-log:" + server;
  var history = JSON.parse(sessionStorage.getItem(logKey) || "[]");

  function show(kind, text, name, replaying) {
    if (!replaying) {
      history.push([kind, text, name || ""]);
      sessionStorage.setItem(logKey, JSON.stringify(history.slice(-100)));
    }
    var item = document.createElement("div");
    item.className = "msg " + kind;
    if (name) {
      var label = document.createElement("span");
      label.className = "name";
      label.textContent = name;
      item.appendChild(label);
    }
    item.appendChild(document.createTextNode(text));  // always text: never markup from the wire
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  history.forEach(function (entry) { show(entry[0], entry[1], entry[2], true); });  // after a reload

  var socket = null, sessionId = localStorage.getItem(storageKey), ready = false, pending = [];

  function emit(event, data) {
    var frame = "42" + JSON.stringify([event, data]);
    if (ready) socket.send(frame); else pending.push(frame);
  }

  function onEvent(name, data) {
    if (name === "session_confirm") {
      sessionId = typeof data === "string" ? data : data && data.session_id;
      localStorage.setItem(storageKey, sessionId);
      ready = true;
      pending.splice(0).forEach(function (frame) { socket.send(frame); });
    } else if (name === "bot_uttered") {
      var meta = (data && data.metadata) || {};
      if (meta.author === "agent" && meta.sender_name) {
        agentLine.hidden = false;
        agentLine.textContent = meta.sender_name;
      } else if (meta.author !== "agent") {
        agentLine.hidden = true;  // the bot (or the desk itself) speaks again
      }
      var item = show(meta.author === "agent" ? "agent-msg" : (meta.author || "bot"), data.text || "", meta.sender_name);
      if (data.quick_replies && data.quick_replies.length) {
        var replies = document.createElement("div");
        replies.className = "replies";
        data.quick_replies.forEach(function (choice) {
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = choice.title;
          button.onclick = function () { send(choice.title, choice.payload); replies.remove(); };
          replies.appendChild(button);
        });
        item.appendChild(replies);
      }
      if (data.attachment && data.attachment.payload && data.attachment.payload.src) {
        var image = document.createElement("img");
        image.src = data.attachment.payload.src;
        image.style.maxWidth = "100%";
        item.appendChild(image);
      }
    } else if (name === "error") {
      errorLine.textContent = (data && data.error) || "Something went wrong.";
    }
  }

  function connect() {
    var url = server.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket";
    socket = new WebSocket(url);
    ready = false;
    socket.onmessage = function (event) {
      var frame = String(event.data);
      if (frame[0] === "0") socket.send("40");                     // engine.io open -> join namespace "/"
      else if (frame === "2") socket.send("3");                    // ping -> pong
      else if (frame.slice(0, 2) === "40")                         // connected: ask for our session
        socket.send("42" + JSON.stringify(["session_request", { session_id: sessionId }]));
      else if (frame.slice(0, 2) === "42") {
        var packet = JSON.parse(frame.slice(2));
        onEvent(packet[0], packet[1]);
      }
    };
    socket.onclose = function () { ready = false; setTimeout(connect, 2000); };
  }

  function send(text, payload) {
    errorLine.textContent = "";
    show("customer", text);
    emit("user_uttered", { message: payload || text, session_id: sessionId, customData: { language: language } });
  }

  root.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (text) send(text);
    input.value = "";
  });

  window.SupportWidget = {
    setLanguage: function (code) { language = code; },
    get sessionId() { return sessionId; },
  };
  (document.body || document.documentElement).appendChild(host);
  connect();
})();

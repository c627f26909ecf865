/* The voting booth, made live. Without this file every Add, Remove, Up and Down is a plain form post
   and the server shows the booth again; with it, the same buttons change the hidden fields right here,
   and the budget bar, what still fits, the ranking and the filters update at once. The server checks
   the whole ballot again when the voter reviews and casts it, so nothing here is trusted. */
(function () {
  "use strict";

  var form = document.getElementById("booth");
  if (!form) { return; }
  document.documentElement.classList.add("js");

  var data = form.dataset;
  var kind = data.kind;
  var amount = Number(data.amount);
  var maxProjects = data.max ? Number(data.max) : null;
  var totalPoints = data.points ? Number(data.points) : null;
  var cards = Array.prototype.slice.call(form.querySelectorAll(".project-card"));
  var list = document.getElementById("project-cards");
  var fields = document.getElementById("selection-fields");
  var MOVES = ["add", "remove", "up", "down"];

  function money(minor) {
    var units = minor / 100;
    var whole = Math.round(units) === units;
    var locale = data.locale === "en" ? "en" : "da-DK";
    return new Intl.NumberFormat(locale, {
      style: "currency", currency: data.currency || "DKK",
      minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: whole ? 0 : 2
    }).format(units);
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (all, key) { return key in values ? values[key] : all; });
  }

  function bar(name) { return form.querySelector('[data-bar="' + name + '"]'); }

  function setText(element, text) { if (element && element.textContent !== text) { element.textContent = text; } }

  function cardFor(code) {
    for (var i = 0; i < cards.length; i += 1) { if (cards[i].dataset.code === code) { return cards[i]; } }
    return null;
  }

  /* --- approval, knapsack and ranked: the chosen ids live in hidden fields -------------------------- */

  function chosen() {
    return Array.prototype.map.call(fields.querySelectorAll('input[name="project"]'), function (input) {
      return input.value;
    });
  }

  function setChosen(codes) {
    while (fields.firstChild) { fields.removeChild(fields.firstChild); }
    codes.forEach(function (code) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "project";
      input.value = code;
      fields.appendChild(input);
    });
  }

  function move(verb, code) {
    var codes = chosen();
    var index = codes.indexOf(code);
    if (verb === "add" && index < 0) { codes.push(code); }
    if (verb === "remove" && index >= 0) { codes.splice(index, 1); }
    if ((verb === "up" || verb === "down") && index >= 0) {
      var other = verb === "up" ? index - 1 : index + 1;
      if (other >= 0 && other < codes.length) { codes[index] = codes[other]; codes[other] = code; }
    }
    setChosen(codes);
  }

  function blockReason(card, codes, left, groupTitles) {
    var group = card.dataset.group;
    if (group && groupTitles[group]) { return fill(data.tClash, { title: groupTitles[group] }); }
    if (maxProjects !== null && codes.length >= maxProjects) { return data.tFull; }
    if (kind === "knapsack" && Number(card.dataset.cost) > left) { return fill(data.tNofit, { left: money(Math.max(left, 0)) }); }
    return null;
  }

  function renderChoices() {
    var codes = chosen();
    var spent = 0;
    var groupTitles = {};
    codes.forEach(function (code) {
      var card = cardFor(code);
      if (!card) { return; }
      spent += Number(card.dataset.cost);
      if (card.dataset.group) { groupTitles[card.dataset.group] = card.dataset.title; }
    });
    var left = amount - spent;
    cards.forEach(function (card) {
      var place = codes.indexOf(card.dataset.code);
      var isChosen = place >= 0;
      card.classList.toggle("is-chosen", isChosen);
      card.querySelector(".chosen-mark").hidden = !isChosen;
      setText(card.querySelector(".chosen-text"),
        data.tChosen + (isChosen && kind === "ranked" ? " – " + fill(data.tPlace, { place: place + 1 }) : ""));
      var add = card.querySelector(".add-button");
      var remove = card.querySelector(".remove-button");
      var reason = isChosen ? null : blockReason(card, codes, left, groupTitles);
      add.hidden = isChosen;
      remove.hidden = !isChosen;
      add.disabled = Boolean(reason);
      setText(add.querySelector(".button-text"), reason || data.tAdd);
    });
    setText(bar("count"), String(codes.length));
    if (kind === "knapsack") {
      setText(bar("spent"), money(spent));
      setText(bar("left-label"), left >= 0 ? data.tLeft : data.tOver_label);
      setText(bar("left"), money(Math.abs(left)));
      var progress = bar("progress");
      if (progress) { progress.value = Math.min(spent, amount); }
    }
    if (kind === "ranked") { renderRanking(codes); }
  }

  function renderRanking(codes) {
    var ranking = document.getElementById("ranking-list");
    var template = document.getElementById("ranking-template");
    if (!ranking || !template) { return; }
    while (ranking.firstChild) { ranking.removeChild(ranking.firstChild); }
    codes.forEach(function (code, index) {
      var card = cardFor(code);
      if (!card) { return; }
      var item = template.content.querySelector("li").cloneNode(true);
      item.dataset.code = code;
      setText(item.querySelector(".ranking-title"), card.dataset.title);
      Array.prototype.forEach.call(item.querySelectorAll("button"), function (button) {
        button.value = code;
        setText(button.querySelector(".visually-hidden"), " " + card.dataset.title);
        button.disabled = (button.name === "up" && index === 0) || (button.name === "down" && index === codes.length - 1);
      });
      ranking.appendChild(item);
    });
    document.getElementById("ranking-empty").hidden = codes.length > 0;
  }

  /* --- cumulative: the points live in the number boxes themselves --------------------------------- */

  function renderPoints() {
    var used = 0;
    cards.forEach(function (card) {
      var input = card.querySelector("input[data-points-for]");
      var text = input ? input.value.trim() : "";
      var value = /^\d+$/.test(text) ? Number(text) : 0;
      used += value;
      card.classList.toggle("is-chosen", value > 0);
      card.querySelector(".chosen-mark").hidden = value <= 0;
    });
    setText(bar("points-used"), String(used));
    setText(bar("points-left"), String(Math.max(0, (totalPoints || 0) - used)));
    var over = used - (totalPoints || 0);
    bar("points-over-box").hidden = totalPoints === null || over <= 0;
    setText(bar("points-over"), fill(data.tPoints_over, { num: over }));
    var progress = bar("progress");
    if (progress) { progress.value = Math.min(used, totalPoints || 0); }
  }

  /* --- filters and order, without leaving the page ------------------------------------------------ */

  function filterValue(name) {
    var select = form.querySelector('[data-filter="' + name + '"]');
    return select ? select.value : "";
  }

  function applyFilters() {
    var category = filterValue("category");
    var district = filterValue("district");
    var order = filterValue("order") || "random";
    var shown = 0;
    cards.forEach(function (card) {
      var visible = (!category || card.dataset.category === category) && (!district || card.dataset.district === district);
      card.hidden = !visible;
      shown += visible ? 1 : 0;
    });
    var sorted = cards.slice().sort(function (a, b) {
      if (order === "cost") { return Number(a.dataset.cost) - Number(b.dataset.cost) || a.dataset.title.localeCompare(b.dataset.title); }
      if (order === "title") { return a.dataset.title.localeCompare(b.dataset.title, data.locale); }
      return Number(a.dataset.random) - Number(b.dataset.random);
    });
    sorted.forEach(function (card) { list.appendChild(card); });
    document.getElementById("no-match").hidden = shown > 0;
  }

  /* --- wiring ------------------------------------------------------------------------------------- */

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name]");
    if (!button || MOVES.indexOf(button.name) < 0 || kind === "cumulative") { return; }
    event.preventDefault();
    var verb = button.name;
    var code = button.value;
    move(verb, code);
    renderChoices();
    keepFocus(verb, code);
  });

  function keepFocus(verb, code) {
    var card = cardFor(code);
    var target = null;
    if (verb === "up" || verb === "down") {
      var item = document.querySelector('#ranking-list li[data-code="' + CSS.escape(code) + '"]');
      target = item && (item.querySelector('button[name="' + verb + '"]:not([disabled])') || item.querySelector("button:not([disabled])"));
    } else if (card) {
      target = card.querySelector(verb === "add" ? ".remove-button" : ".add-button");
      if (target && target.disabled) { target = card.querySelector(".card-title"); }
    }
    if (target) {
      if (target.classList.contains("card-title")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
    }
  }

  form.addEventListener("input", function (event) {
    if (event.target.matches("input[data-points-for]")) { renderPoints(); }
  });

  form.addEventListener("change", function (event) {
    if (event.target.matches("[data-filter]")) { applyFilters(); }
  });

  if (kind === "cumulative") { renderPoints(); } else { renderChoices(); }
}());

// The pages' small behaviours, without inline scripts (the Content-Security-Policy allows scripts from here only).
(function () {
  "use strict";

  // <form data-confirm="…"> and <button data-confirm="…">: ask before sending.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("[data-no-submit]")) { event.preventDefault(); return; }
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    // data-confirm-count="name": the message's {n} is how many of those boxes are ticked.
    if (message && form.dataset.confirmCount) {
      var ticked = Array.prototype.filter.call(form.elements, function (el) {
        return el.name === form.dataset.confirmCount && el.checked;
      }).length;
      if (!ticked) return; // the server says that nothing was chosen
      message = message.replace("{n}", ticked);
    }
    if (message && !window.confirm(message)) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches("select[data-auto-submit]")) el.form.submit();
    if (el.matches("select[data-navigate]")) window.location = el.value;
  });

  // <button data-check-all="name" data-form="id">: tick every box of that name in the form (again: untick them).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-check-all]");
    if (!button) return;
    var form = document.getElementById(button.dataset.form);
    var boxes = Array.prototype.filter.call(form.elements, function (el) { return el.name === button.dataset.checkAll; });
    var all = boxes.every(function (el) { return el.checked; });
    boxes.forEach(function (el) { el.checked = !all; });
  });

  // <input data-no-enter>: Enter does not send the form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("input[data-no-enter]")) event.preventDefault();
  });

  // Formsets (templates/includes/formset_add_row.html): the button adds an empty row from the template.
  document.querySelectorAll("[data-formset-add]").forEach(function (marker) {
    var button = document.getElementById(marker.dataset.button);
    if (!button) return;
    button.addEventListener("click", function () {
      var total = document.getElementById("id_" + marker.dataset.formsetAdd + "-TOTAL_FORMS");
      var index = parseInt(total.value, 10);
      var html = document.getElementById(marker.dataset.template).innerHTML.replace(/__prefix__/g, index);
      document.querySelector("#" + marker.dataset.table + " tbody").insertAdjacentHTML("beforeend", html);
      total.value = index + 1;
    });
  });

  // Tie-break rules: the criterion only matters for the "criterion score" rule; grey it out for the others.
  var tieBreaks = document.getElementById("tb-rows");
  if (tieBreaks) {
    var sync = function (rule) {
      var criterion = rule.closest("tr").querySelector("select.tb-criterion");
      if (!criterion) return;
      var applies = rule.value === "criterion";
      criterion.disabled = !applies;
      if (!applies) criterion.value = "";
    };
    tieBreaks.querySelectorAll("select.tb-rule").forEach(sync);
    tieBreaks.addEventListener("change", function (event) {
      if (event.target.matches("select.tb-rule")) sync(event.target);
    });
  }

  // Report results: a new empty row of indicator, target, result.
  document.querySelectorAll(".add-result").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var table = document.getElementById(btn.dataset.target);
      var i = parseInt(table.dataset.next, 10); table.dataset.next = i + 1;
      var p = table.dataset.prefix + "-r" + i + "-";
      var row = document.createElement("tr");
      ["indicator", "target", "result"].forEach(function (f) {
        var td = document.createElement("td"); var input = document.createElement("input");
        input.className = "form-control form-control-sm"; input.name = p + f; input.maxLength = f === "indicator" ? 255 : 100;
        input.setAttribute("aria-label", table.querySelectorAll("th")[["indicator", "target", "result"].indexOf(f)].textContent);
        td.appendChild(input); row.appendChild(td);
      });
      table.querySelector("tbody").appendChild(row);
    });
  });
})();

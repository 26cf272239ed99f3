/* aiwatch: on canned queries and views, bookkeeping columns (ids, offsets, confidence, raw URLs) hide behind
   a toggle; on every table page the long column-description block folds below the table. No libraries. */
document.addEventListener("DOMContentLoaded", function () {
  var BOOKKEEPING = ["claim_id", "article_id", "accuser_id", "accused_id", "via_id", "actor_id", "speaker_id",
    "target_id", "responder_id", "aimed_at_id", "entity_id", "source_id", "from_id", "to_id", "other_id",
    "confidence", "is_quote", "start_char", "end_char", "speaker_start", "speaker_end", "cue_start", "cue_end",
    "content_start", "content_end", "sentence_start", "accuser_text", "accused_text", "actor_text",
    "target_text", "article_url", "source_url", "url", "url_key", "date_source", "evidence", "section"];
  var VIEWS = ["table-accusations", "table-policy_actions", "table-entity_timeline", "table-co_mentions"];
  var body = document.body;
  var table = document.querySelector("table.rows-and-columns");
  var wrapper = table ? (table.closest(".table-wrapper") || table) : null;
  var notes = document.querySelector("dl.column-descriptions");
  if (notes) {
    var fold = document.createElement("details");
    fold.className = "aiwatch-columns";
    var title = document.createElement("summary");
    title.textContent = "What each column means";
    fold.appendChild(title);
    notes.parentNode.insertBefore(fold, notes);
    fold.appendChild(notes);
    if (wrapper) { wrapper.parentNode.insertBefore(fold, wrapper.nextSibling); }
  }
  if (!body.classList.contains("db-aiwatch") || !table) { return; }
  var canned = body.classList.contains("query") &&
    Array.prototype.some.call(body.classList, function (c) { return c.indexOf("query-") === 0; });
  var view = VIEWS.some(function (c) { return body.classList.contains(c); });
  if (!canned && !view) { return; }
  body.classList.add("aiwatch-reading");
  var found = 0;
  BOOKKEEPING.forEach(function (name) {
    table.querySelectorAll("th.col-" + name + ", td.col-" + name).forEach(function (cell) {
      cell.classList.add("aiwatch-book");
      found += 1;
    });
  });
  if (!found) { return; }
  table.classList.add("aiwatch-compact");
  var label = document.createElement("label");
  label.className = "aiwatch-more";
  var box = document.createElement("input");
  box.type = "checkbox";
  box.id = "aiwatch-show-all";
  box.addEventListener("change", function () { table.classList.toggle("aiwatch-compact", !box.checked); });
  label.appendChild(box);
  label.appendChild(document.createTextNode(" Show bookkeeping columns (ids, offsets, confidence, raw URLs)"));
  wrapper.parentNode.insertBefore(label, wrapper);
});

// Progressive enhancement: the pages work as plain forms; with JavaScript the reply streams in
// and copy buttons work. Errors from the API arrive as {"error", "message", ...} (DESIGN §4).
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function formatWait(seconds) {
  return seconds < 90 ? `${seconds} seconds` : `${Math.round(seconds / 60)} minutes`;
}

// Money as the server writes it (kit/money.py): whole cents from $1 or when cents are exact,
// four places below that, "<$0.0001" smaller still, and the exact amount (micro-dollars) in the
// element's title. Integer micro-dollars on the way, so a half rounds up as it does there.
function moneyParts(value) {
  const micros = Math.round(Number(value) * 1e6);
  return { sign: micros < 0 ? "-" : "", micros: Math.abs(micros) };
}

function thousands(n) {
  return n.toLocaleString("en-US");
}

function usd(value) {
  const { sign, micros } = moneyParts(value);
  if (micros === 0) return "$0.00";
  const tenThousandths = Math.floor((micros + 50) / 100);
  if (tenThousandths === 0) return `${sign}<$0.0001`;
  if (tenThousandths < 10000 && micros % 10000 !== 0) {
    return `${sign}$0.${String(tenThousandths).padStart(4, "0")}`;
  }
  const cents = Math.floor((micros + 5000) / 10000);
  return `${sign}$${thousands(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, "0")}`;
}

function usdExact(value) {
  const { sign, micros } = moneyParts(value);
  const whole = Math.floor(micros / 1e6);
  return `${sign}$${thousands(whole)}.${String(micros - whole * 1e6).padStart(6, "0")}`;
}

function usdElement(value) {
  const span = document.createElement("span");
  span.className = "money";
  span.title = usdExact(value);
  span.textContent = usd(value);
  return span;
}

// Every <time data-local> the server wrote in UTC, in the viewer's own time zone; the title
// keeps the UTC moment. Without JavaScript the UTC text stays.
function localizeTimes(root) {
  root.querySelectorAll("time[data-local]").forEach((el) => {
    const moment = new Date(el.dateTime);
    if (Number.isNaN(moment.getTime())) return;
    const options = {
      year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit",
      timeZoneName: "short",
    };
    if (el.dataset.local === "seconds") options.second = "2-digit";
    el.textContent = new Intl.DateTimeFormat(undefined, options).format(moment);
  });
}

function errorText(body) {
  if (body.error === "quota_exceeded") {
    // The server words it (metering/wording.py), as the pages and the dashboard do.
    return [body.message, body.reason || body.message];
  }
  if (body.error === "rate_limited") {
    return ["Rate limit exceeded",
      `Your plan allows ${body.limit} AI requests an hour. Try again in ${formatWait(body.retry_after_s)}.`];
  }
  return ["Could not do that", body.message || "Something went wrong; try again."];
}

function showError(container, body) {
  const [title, text] = errorText(body);
  container.replaceChildren();
  const box = document.createElement("div");
  box.className = `alert alert-${body.error}`;
  box.setAttribute("role", "alert");
  box.dataset.error = body.error;
  const strong = document.createElement("strong");
  strong.textContent = title;
  const p = document.createElement("p");
  p.textContent = text;
  box.append(strong, p);
  container.append(box);
}

async function* sseEvents(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      yield { event, data: data ? JSON.parse(data) : {} };
    }
  }
}

// What each outcome means for the chatter (the API's `status`): only a draft may be sent.
const VERDICTS = {
  draft: "Passes the rules: approve it, as written or edited, to send it to the fan, or reject it. Until then it waits in the Inbox.",
  blocked: "Not sendable: this draft broke a rule and must not be sent. Regenerate it, or write the reply yourself.",
  escalate: "A person must answer this fan: do not send an AI draft.",
};

// The guard's reasons as sentences, as web/formatting.reasons_text says them: each with its full
// stop, one after another (not "cannot see.; An @handle").
function reasonsText(reasons) {
  return reasons.map((r) => {
    const said = (r.why || r.detail).trim();
    return /[.!?]$/.test(said) || !said ? said : `${said}.`;
  }).join(" ");
}

function reasonItem(reason) {
  const li = document.createElement("li");
  li.className = `reason reason-${reason.verdict}`;
  const why = document.createElement("strong");
  why.textContent = reason.why || reason.detail;
  const found = document.createElement("span");
  found.className = "reason-found";
  found.textContent = reason.detail;
  li.append(why, " ", found);
  if (reason.clause) {
    const clause = document.createElement("span");
    clause.className = "reason-clause";
    clause.textContent = reason.clause;
    li.append(" ", clause);
  }
  return li;
}

// The card's actions: Approve and Reject only for a sendable draft (not Approve for a fan with no
// messages left today), Regenerate only for a blocked one; the link to where the draft waits for
// one that is not decided here. As the page draws them without JavaScript (messages.html).
function setActions(reply) {
  const capped = Boolean(document.getElementById("capped-verdict"));
  const status = reply ? reply.status : "writing";
  const draftId = reply && reply.draft_id;
  document.getElementById("regenerate-form").hidden = status !== "blocked";
  const decide = document.getElementById("reply-decide");
  decide.hidden = !(status === "draft" && draftId);
  decide.querySelectorAll("[data-refused]").forEach((old) => old.remove());  // an earlier draft's
  if (!decide.hidden) setDecision(reply, capped);
  const review = document.getElementById("review-draft");
  review.hidden = !(draftId && (status !== "draft" || capped));
  if (!review.hidden) {
    review.href = `/inbox#draft-${draftId}`;
    const where = { escalate: "See it in the escalation queue", blocked: "Write the reply in the Inbox" };
    review.textContent = where[status] || "Open it in the Inbox";
  }
}

// The inbox's approve and reject forms for this draft: they post to the inbox, which brings the
// browser back here. The text to send starts as drafted; the PPV offer only when there is one.
function setDecision(reply, capped) {
  const approve = document.getElementById("approve-form");
  approve.action = `/inbox/${reply.draft_id}/approve`;
  approve.hidden = capped;
  document.getElementById("reject-form").action = `/inbox/${reply.draft_id}/reject`;
  const text = document.getElementById("reply-text");
  text.defaultValue = reply.reply;
  text.value = reply.reply;
  document.getElementById("edit-reply").open = false;
  const upsell = reply.suggested_upsell;
  const offer = document.getElementById("offer-line");
  offer.hidden = !(upsell && upsell.kind === "ppv");
  offer.querySelector("input").checked = false;
  document.getElementById("offer-text").replaceChildren(
    ...(offer.hidden ? [] : [`${upsell.description} (`, usdElement(upsell.price_usd), ")"]),
  );
}

function renderReply(reply) {
  const card = document.getElementById("response-card");
  const out = document.getElementById("assistant-response");
  const status = document.getElementById("reply-status");
  const meta = document.getElementById("reply-meta");
  card.className = `card response reply-${reply.status}`;
  card.dataset.status = reply.status;
  // A withheld draft is taken back, whatever of it was streamed.
  out.textContent = reply.sendable ? reply.reply : "";
  status.textContent = reply.status;
  status.className = `badge badge-${reply.status}`;
  // A fan with no messages left today: the page's own sentence says when it can be approved.
  const verdict = document.getElementById("reply-verdict");
  const capped = document.getElementById("capped-verdict");
  if (reply.status === "draft" && capped) {
    verdict.replaceChildren(capped.content.cloneNode(true));
    localizeTimes(verdict);
  } else {
    verdict.textContent = VERDICTS[reply.status] || "";
  }
  const reasons = document.getElementById("reply-reasons");
  reasons.replaceChildren(...(reply.sendable ? [] : reply.compliance.reasons.map(reasonItem)));
  setActions(reply);
  // Confidence and the upsell belong to a draft that may be sent; a withheld one has neither.
  // Each part is a list of text and elements (money carries its exact amount as a title).
  const parts = reply.sendable ? [[`Confidence ${Math.round(reply.confidence * 100)}%`]] : [];
  if (Number(reply.usage.cost_usd || 0) === 0) {
    parts.push(["No AI call was made: nothing charged"]);
  } else {
    const cost = ["cost ", usdElement(reply.usage.cost_usd), ` on ${reply.usage.model}`];
    if (reply.usage.fallback) cost.push(" (budget fallback: the quota could not cover the usual model)");
    parts.push(cost);
  }
  const upsell = reply.sendable ? reply.suggested_upsell : null;
  if (upsell) {
    const text = [`Suggested upsell: ${upsell.description} (`, usdElement(upsell.price_usd), ")"];
    if (upsell.price_note) text.push(`, ${upsell.price_note}`);
    parts.push(text);
  }
  // What the reply noted about the fan: saved at once, or waiting on the fan page.
  if (reply.fan_notes && reply.fan_notes.length) {
    const noted = reply.fan_notes.map((n) => `${n.text} (${n.status === "saved" ? "saved" : "to review"})`);
    parts.push([`Noted about the fan: ${noted.join("; ")}`]);
  }
  if (reply.sendable && reply.upsell_withheld) {
    parts.push([`Suggested upsell dropped: ${reasonsText(reply.upsell_withheld.reasons)}`]);
  }
  meta.replaceChildren(...parts.flatMap((part, i) => (i ? [" · ", ...part] : part)));
}

async function streamReply(form) {
  const errors = document.getElementById("page-error");
  const card = document.getElementById("response-card");
  const out = document.getElementById("assistant-response");
  const button = form.querySelector('button[type="submit"]');
  const payload = { fan_message: form.elements["fan-message"].value };
  if (form.elements.platform.value) payload.platform = form.elements.platform.value;
  if (form.elements.fan_id && form.elements.fan_id.value) payload.fan_id = form.elements.fan_id.value;
  errors.replaceChildren();
  button.disabled = true;
  try {
    const headers = { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() };
    // For the creator this page was drawn for, not one switched to since in another tab.
    if (form.elements.for_creator) headers["X-Creator-Id"] = form.elements.for_creator.value;
    const response = await fetch(form.dataset.streamUrl, {
      method: "POST",
      headers,
      body: JSON.stringify(payload),
      credentials: "same-origin",
    });
    if (!response.ok) {
      showError(errors, await response.json().catch(() => ({ message: response.statusText })));
      return;
    }
    card.hidden = false;
    card.className = "card response";
    card.dataset.status = "";
    out.textContent = "";
    document.getElementById("reply-status").textContent = "writing…";
    document.getElementById("reply-status").className = "badge";
    document.getElementById("reply-verdict").textContent = "";
    document.getElementById("reply-reasons").replaceChildren();
    document.getElementById("reply-meta").textContent = "";
    setActions(null);
    for await (const { event, data } of sseEvents(response)) {
      if (event === "delta") out.textContent += data.text;
      else if (event === "done") renderReply(data);
      else if (event === "error") { card.hidden = true; showError(errors, data); }
    }
  } catch (err) {
    showError(errors, { error: "network", message: "The connection was lost; try again." });
  } finally {
    button.disabled = false;
  }
}

// On a phone the nav folds behind a Menu button (CSS decides the width); without JavaScript it
// stays unfolded, wrapped over a few lines.
function setUpNavToggle() {
  const toggle = document.getElementById("nav-toggle");
  if (!toggle) return;
  toggle.hidden = false;
  document.documentElement.classList.add("nav-collapsible");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
  });
  // Escape folds an open menu and gives the focus back to its button.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
}

// The header's Account menu (a <details>) folds again on Escape or a click outside it, as a menu
// does; without JavaScript its button opens and closes it.
function setUpAccountMenu() {
  const menu = document.querySelector(".account-menu");
  if (!menu) return;
  document.addEventListener("click", (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setUpNavToggle();
  setUpAccountMenu();
  localizeTimes(document);
  const form = document.getElementById("reply-form");
  if (form && window.fetch && window.TextDecoderStream) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      streamReply(form);
    });
    // Regenerate asks again for the message in the form (without JavaScript it posts it).
    document.getElementById("regenerate-form").addEventListener("submit", (event) => {
      event.preventDefault();
      streamReply(form);
    });
  }
  document.querySelectorAll("button.copy").forEach((button) => {
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copyTarget).textContent;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied";
      } catch {
        button.textContent = "Select and copy";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    });
  });
});

// Picking or finding a fan reloads /messages: the fan message typed so far is kept for the next
// page in this tab (sessionStorage, not the address: it would stay in the browser's history).
const TYPED_KEY = "huntaze-typed-fan-message";
function keepTypedMessage() {
  const field = document.getElementById("fan-message");
  if (field && field.value.trim()) sessionStorage.setItem(TYPED_KEY, field.value);
}
document.querySelectorAll(".fan-picks a.button").forEach((link) => {
  link.addEventListener("click", keepTypedMessage);
});
document.querySelectorAll("#fan-picker form[role=search]").forEach((search) => {
  search.addEventListener("submit", keepTypedMessage);
});
(() => {
  const field = document.getElementById("fan-message");
  const typed = sessionStorage.getItem(TYPED_KEY);
  sessionStorage.removeItem(TYPED_KEY);
  if (field && typed && !field.value) field.value = typed;
})();

// A refused decision draws the inbox again with the refusal in its card (data-refused), which
// autofocus brings into view and has read out; the same where a browser ignores autofocus on it.
(() => {
  const refused = document.querySelector("[data-refused]");
  if (refused && document.activeElement !== refused) refused.focus();
})();

// A form that cannot be undone in a click (removing a creator or a member) asks first.
document.querySelectorAll("form[data-confirm]").forEach((form) => {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});

// The creator switcher submits on change; without JavaScript its Switch button does (with it,
// the button is hidden: the header's room is what keeps the nav on one line).
document.querySelectorAll("form[data-autosubmit] select").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
  select.form.querySelectorAll('button[type="submit"]').forEach((button) => {
    button.hidden = true;
  });
});

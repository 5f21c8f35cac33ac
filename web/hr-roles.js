// Roles: the list on the home page (with a quick invite) and the role setup page: competency
// weights with a question-plan preview, each competency's anchors and indicators, scoring
// (modalities, weights, thresholds, compliance profile), the interviewer persona, and
// invitations one at a time or from a CSV.

import { busy, h } from "./api.js";
import {
  authed, authedRaw, copyRow, error, field, fill, fmtDate, isWriter, langLabel, messageOf, notice,
  select, state,
} from "./hr-common.js";
import { getLang, t } from "./hr-i18n.js";

const enc = encodeURIComponent;

// ---------------------------------------------------------------- home list

export function roleItem(role, { onInvited } = {}) {
  const li = h("li", { class: "role", dataset: { testid: "role-item", roleId: role.id } });
  fill(li,
    h("div", { class: "role-head" },
      h("h3", {}, h("a", { href: `#/role/${role.id}`, text: role.title, dataset: { testid: "role-name" } })),
      h("span", { class: "badge", text: langLabel(role.language), dataset: { testid: "role-language-badge" } }),
      h("span", { class: "muted small", text: fmtDate(role.created_at) }),
      h("span", { class: "spacer" }),
      h("a", { class: "button small", href: `#/role/${role.id}`, text: isWriter() ? t("roles.setup") : t("roles.open"),
        dataset: { testid: "role-setup-link" } }),
      h("a", { class: "button small", href: `#/compare/${role.id}`, text: t("nav.compare") }),
      h("a", { class: "button small", href: `#/fairness/${role.id}`, text: t("nav.fairness") })),
    role.description
      ? h("p", { class: "role-description", text: role.description, dataset: { testid: "role-description-text" } })
      : null);
  if (isWriter()) li.append(inviteBlock(role, onInvited));
  return li;
}

// ---------------------------------------------------------------- invitations

// The competency's iceberg layer in the page's language (never the stored key).
function layerLabel(layer) {
  const key = `layer.${layer}`;
  return t(key) === key ? String(layer || "").replaceAll("_", " ") : t(key);
}

function inviteResult(inv) {
  const mail = inv.email_status
    ? h("p", { class: "small", dataset: { testid: "invite-email-status" },
        text: inv.email_status === "sent" ? t("invite.mailed")
          : inv.email_status === "not_configured" ? t("invite.mail_off")
            : `${t("invite.mail_failed")} ${inv.email_status.replace(/^failed:\s*/, "")}` })
    : null;
  return h("div", { class: "invite-one", dataset: { testid: "invite-one" } },
    h("p", {}, t("invite.send_to"), " ", h("strong", { text: inv.candidate_name }),
      ` · ${t("invite.until", { date: fmtDate(inv.expires_at) })}`),
    copyRow(inv.link), mail);
}

function mailBox() {
  const box = h("input", { type: "checkbox", dataset: { testid: "invite-send-email" } });
  const configured = state.org && state.org.mail_configured;
  box.disabled = !configured;
  return [box, h("label", { class: "check small" }, box,
    h("span", { text: configured ? t("invite.email_it") : t("invite.mail_off") }))];
}

export function inviteBlock(role, onInvited) {
  const name = h("input", { type: "text", maxLength: 200, required: true, autocomplete: "off", dataset: { testid: "invite-name" } });
  const email = h("input", { type: "email", maxLength: 320, autocomplete: "off", dataset: { testid: "invite-email" } });
  const lang = select([["en", "English"], ["zh", "中文"]], role.language === "zh" ? "zh" : "en", { dataset: { testid: "invite-language" } });
  const days = h("input", { type: "number", min: 1, max: 90, value: 14, dataset: { testid: "invite-days" } });
  const [send, sendLabel] = mailBox();
  const submit = h("button", { type: "submit", class: "button primary", text: t("invite.create"), dataset: { testid: "invite-submit" } });
  const result = h("div", { class: "invite-result", hidden: true, dataset: { testid: "invite-result" } });
  const form = h("form", { class: "invite-form", noValidate: true, dataset: { testid: "invite-form" } },
    field(t("invite.name"), name), field(t("invite.email"), email),
    h("div", { class: "row" }, field(t("invite.language"), lang), field(t("invite.days"), days)),
    sendLabel, submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error("");
    const body = { candidate_name: name.value.trim(), language: lang.value, expires_days: Number(days.value) || 14 };
    if (!body.candidate_name) {
      error(t("invite.need_name"));
      name.focus();
      return;
    }
    if (email.value.trim()) body.email = email.value.trim();
    if (send.checked && body.email) body.send_email = true;
    await busy(submit, t("common.creating"), async () => {
      try {
        const inv = await authed(`/roles/${enc(role.id)}/invitations`, { method: "POST", body });
        result.replaceChildren(inviteResult(inv));
        result.hidden = false;
        name.value = "";
        email.value = "";
        if (onInvited) onInvited();
      } catch (err) {
        error(messageOf(err));
      }
    });
  });

  // CSV upload: name, email, language per line.
  const file = h("input", { type: "file", accept: ".csv,text/csv", dataset: { testid: "invite-csv-file" } });
  const csvDays = h("input", { type: "number", min: 1, max: 90, value: 14 });
  const [csvSend, csvSendLabel] = mailBox();
  const upload = h("button", { type: "submit", class: "button", text: t("invite.upload"), dataset: { testid: "invite-csv-submit" } });
  const csvForm = h("form", { class: "invite-form", noValidate: true, dataset: { testid: "invite-csv-form" } },
    h("p", { class: "small muted", text: t("invite.csv_help") }),
    field(t("invite.csv_file"), file), field(t("invite.days"), csvDays), csvSendLabel, upload);
  csvForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error("");
    const f = file.files && file.files[0];
    if (!f) {
      error(t("invite.need_file"));
      return;
    }
    await busy(upload, t("common.creating"), async () => {
      try {
        const q = `expires_days=${Number(csvDays.value) || 14}&send_email=${csvSend.checked}`;
        const res = await authedRaw(`/roles/${enc(role.id)}/invitations/csv?${q}`, {
          method: "POST", body: f, contentType: "text/csv",
        });
        const made = await res.json();
        result.replaceChildren(h("p", { text: t("invite.made", { n: made.length }) }),
          ...made.map(inviteResult));
        result.hidden = false;
        file.value = "";
        if (onInvited) onInvited();
      } catch (err) {
        error(messageOf(err));
      }
    });
  });

  return h("details", { class: "invite", dataset: { testid: "invite" } },
    h("summary", { text: t("invite.toggle"), dataset: { testid: "invite-toggle" } }),
    h("div", { class: "invite-grid" }, form,
      h("details", { class: "csv" }, h("summary", { text: t("invite.csv"), dataset: { testid: "invite-csv-toggle" } }), csvForm)),
    result);
}

// ---------------------------------------------------------------- setup page

// Where the job is done and how much of the role's weight the plan asks about.
function coverageNote(plan, testid) {
  const sep = getLang() === "zh" ? "、" : ", ";
  const missing = (plan.uncovered || []).map((c) => c.name).join(sep);
  const places = (plan.workplaces || []).map((w) => t(`workplace.${w}`)).join(sep);
  return h("div", { class: "small", dataset: { testid } },
    places ? h("p", { class: "muted", text: t("setup.workplaces", { names: places }) }) : null,
    h("p", { dataset: { testid: `${testid}-text`, complete: missing ? "no" : "yes" },
      text: missing ? t("setup.coverage_part", { pct: Math.round((plan.coverage ?? 1) * 100), names: missing }) : t("setup.coverage_full") }));
}

const OPEN_KINDS = ["behavioural", "situational"];
const CHOICE_KINDS = ["sjt", "picture"];

// How many of the plan's questions are open (what "Open questions" sets), multiple-choice
// and other (work history, resume): one count, the same everywhere on the page.
function questionCounts(questions) {
  const qs = questions || [];
  const open = qs.filter((q) => OPEN_KINDS.includes(q.kind)).length;
  const choice = qs.filter((q) => CHOICE_KINDS.includes(q.kind)).length;
  const other = qs.length - open - choice;
  return t("setup.question_counts", { open, choice }) + (other ? t("setup.question_counts_other", { n: other }) : "");
}

function questionList(questions, testid) {
  return h("ol", { class: "questions", dataset: { testid } },
    (questions || []).map((q) => h("li", { dataset: { testid: "question-item", questionId: q.id } },
      h("span", { class: "badge subtle", text: t(`qkind.${q.kind}`) }), " ", h("span", { text: q.text }))));
}

function competencyEditor(role, library, onSaved) {
  // Weights are edited as shares (percent of the role); the server rescales them to 100%.
  const rows = new Map((role.competencies || []).map((c) => [c.id, { ...c, weight: Math.round(c.weight * 100) }]));
  const body = h("tbody", {});
  const known = new Map(library.map((c) => [c.id, c]));
  const lang = role.language === "zh" ? "zh" : "en";
  const nameOf = (id) => (known.get(id) && known.get(id).name[lang]) || (rows.get(id) && rows.get(id).name) || id;
  const add = select([], "", { dataset: { testid: "competency-add-choice" } });
  const addBtn = h("button", { type: "button", class: "button small", text: t("setup.add"), dataset: { testid: "competency-add" } });
  const maxQ = h("input", { type: "number", min: 1, max: 20, value: Math.max(1, (role.questions || []).filter((q) => OPEN_KINDS.includes(q.kind)).length || 5),
    dataset: { testid: "max-questions" } });
  const preview = h("div", { class: "plan-preview", dataset: { testid: "plan-preview" } });
  const writable = isWriter();
  // Where the job is done, as read from the description; HR can correct it.
  const PLACES = ["food_service", "hotel", "retail", "warehouse", "delivery", "contact_centre",
    "manufacturing", "healthcare", "office", "education"];
  const chosen = new Set(role.workplaces || []);
  const places = h("fieldset", { class: "inline-form workplaces", dataset: { testid: "workplaces" } },
    h("legend", { class: "small", text: t("setup.workplaces_label") }),
    ...PLACES.map((p) => {
      const box = h("input", { type: "checkbox", value: p, checked: chosen.has(p), disabled: !writable,
        dataset: { testid: "workplace", workplace: p } });
      box.addEventListener("change", () => (box.checked ? chosen.add(p) : chosen.delete(p)));
      return h("label", { class: "small" }, box, " ", t(`workplace.${p}`));
    }));

  const draw = () => {
    body.replaceChildren(...[...rows.values()].map((r) => {
      const w = h("input", { type: "number", min: 1, max: 100, step: 1, value: Math.round(r.weight),
        disabled: !writable, dataset: { testid: "weight-input", competencyId: r.id }, attrs: { "aria-label": t("setup.weight_of", { name: nameOf(r.id) }) } });
      w.addEventListener("change", () => {
        r.weight = Math.min(100, Math.max(1, Math.round(Number(w.value) || 1)));
      });
      const rm = h("button", { type: "button", class: "button small", text: t("setup.remove"), disabled: !writable,
        dataset: { testid: "competency-remove" } });
      rm.addEventListener("click", () => {
        if (rows.size > 1) {
          rows.delete(r.id);
          draw();
        }
      });
      return h("tr", { dataset: { testid: "competency-row", competencyId: r.id } },
        h("td", { text: nameOf(r.id) }),
        h("td", { class: "muted", text: layerLabel(r.layer), dataset: { testid: "competency-layer" } }),
        h("td", { class: "num" }, w),
        h("td", { class: "actions-cell" }, writable ? rm : null));
    }));
    const free = library.filter((c) => !rows.has(c.id));
    add.replaceChildren(...free.map((c) => h("option", { value: c.id, text: c.name[lang] })));
  };
  addBtn.addEventListener("click", () => {
    const c = known.get(add.value);
    if (!c || rows.size >= 12) return;
    const total = [...rows.values()].reduce((acc, r) => acc + r.weight, 0) || 100;
    rows.set(c.id, { id: c.id, name: c.name[lang], layer: c.layer, weight: Math.max(1, Math.round(total / Math.max(1, rows.size))) });
    draw();
  });
  draw();

  const weights = () => {
    const out = {};
    for (const [id, r] of rows) out[id] = Math.max(1, Number(r.weight) || 1);
    return { weights: out, max_questions: Number(maxQ.value) || null,
      workplaces: chosen.size ? [...chosen].slice(0, 4) : null };
  };
  const previewBtn = h("button", { type: "button", class: "button small", text: t("setup.preview"), dataset: { testid: "preview-plan" } });
  previewBtn.addEventListener("click", () => busy(previewBtn, t("common.working"), async () => {
    try {
      const out = await authed(`/roles/${enc(role.id)}/plan-preview`, { method: "POST", body: weights() });
      preview.replaceChildren(h("h4", { text: t("setup.preview_title") }),
        h("p", { class: "small", text: questionCounts(out.questions), dataset: { testid: "preview-counts" } }),
        coverageNote(out, "preview-coverage"),
        questionList(out.questions, "preview-questions"));
    } catch (err) {
      error(messageOf(err));
    }
  }));
  const saveBtn = h("button", { type: "button", class: "button small primary", text: t("setup.save_version"), dataset: { testid: "save-competencies" } });
  saveBtn.addEventListener("click", () => busy(saveBtn, t("common.saving"), async () => {
    try {
      const out = await authed(`/roles/${enc(role.id)}/competencies`, { method: "PUT", body: weights() });
      notice(t("setup.saved_version", { version: out.version }));
      onSaved(out);
    } catch (err) {
      error(messageOf(err));
    }
  }));
  return h("section", { class: "setup-block", dataset: { testid: "competency-editor" } },
    h("h3", { text: t("setup.competencies", { version: role.version ?? 1 }) }),
    role.template_id ? h("p", { class: "muted small" }, t("setup.template"), " ", h("code", { text: role.template_id })) : null,
    h("div", { class: "table-wrap" }, h("table", { class: "compact", dataset: { testid: "role-competencies" } },
      h("thead", {}, h("tr", {},
        h("th", { text: t("setup.competency") }), h("th", { text: t("setup.layer") }),
        h("th", { class: "num", text: t("setup.weight") }), h("th", {}))),
      body)),
    writable ? h("p", { class: "small muted", text: t("setup.weights_help") }) : null,
    writable ? h("div", { class: "inline-form" }, field(t("setup.add_label"), add), addBtn) : null,
    places,
    writable ? h("div", { class: "inline-form" }, field(t("setup.max_questions"), maxQ), previewBtn, saveBtn) : null,
    preview,
    h("h4", { text: t("setup.questions", { n: (role.questions || []).length, counts: questionCounts(role.questions) }),
      dataset: { testid: "role-question-counts" } }),
    coverageNote(role, "role-coverage"),
    questionList(role.questions, "role-questions"));
}

// Each competency's rating anchors (levels 1-5) and indicators in the role's language; a
// writer rewords them and saves a new version of the model (PUT .../competencies, rubrics).
function rubricEditor(role, onSaved) {
  const writable = isWriter();
  const lang = role.language === "zh" ? "zh" : "en";
  const lines = (text) => text.split("\n").map((l) => l.trim()).filter(Boolean);
  const box = (value, testid, rows = 2) => h("textarea", { rows, maxLength: testid === "anchor-input" ? 600 : 2500, value, dataset: { testid } });
  const one = (c) => {
    const anchors = c.anchors.map((a) => (writable ? box(a.description, "anchor-input") : null));
    const signs = c.standards.map((std) => ({
      std,
      // Room for each indicator to wrap once, so where one ends and the next begins shows.
      positive: writable ? box(std.positive.join("\n"), "indicators-positive", Math.min(12, 2 * std.positive.length + 1)) : null,
      negative: writable ? box(std.negative.join("\n"), "indicators-negative", Math.min(12, 2 * std.negative.length + 1)) : null,
    }));
    const save = h("button", { type: "button", class: "button small primary", text: t("rubric.save"), dataset: { testid: "save-rubric" } });
    save.addEventListener("click", () => busy(save, t("common.saving"), async () => {
      error("");
      const empty = anchors.findIndex((a) => !a.value.trim());
      if (empty >= 0) {
        error(t("rubric.need_anchor", { level: empty + 1, name: c.name }));
        anchors[empty].focus();
        return;
      }
      const positive = {};
      const negative = {};
      for (const s of signs) {
        positive[s.std.id] = lines(s.positive.value);
        negative[s.std.id] = lines(s.negative.value);
        if ([positive[s.std.id], negative[s.std.id]].some((l) => l.length < 2 || l.length > 8)) {
          error(t("rubric.count", { name: s.std.name }));
          return;
        }
      }
      const weights = {};
      for (const x of role.competencies) weights[x.id] = x.weight;
      const open = (role.questions || []).filter((q) => OPEN_KINDS.includes(q.kind)).length;
      const body = {
        weights,
        max_questions: open || null,
        workplaces: (role.workplaces || []).length ? role.workplaces.slice(0, 4) : null,
        rubrics: { [c.id]: { language: lang, anchors: anchors.map((a) => a.value.trim()), positive, negative } },
      };
      try {
        const out = await authed(`/roles/${enc(role.id)}/competencies`, { method: "PUT", body });
        notice(t("rubric.saved", { version: out.version }));
        onSaved(out);
      } catch (err) {
        error(messageOf(err));
      }
    }));
    const list = (items) => h("ul", { class: "small" }, items.map((x) => h("li", { text: x })));
    return h("details", { class: "rubric", dataset: { testid: "rubric", competencyId: c.id } },
      h("summary", {}, h("strong", { text: c.name }), " ",
        c.edited ? h("span", { class: "badge subtle", text: t("rubric.edited"), dataset: { testid: "rubric-edited" } }) : null),
      h("h5", { text: t("rubric.levels") }),
      h("div", { class: "anchors", dataset: { testid: "anchors" } }, c.anchors.map((a, i) => h("div", { dataset: { testid: "anchor", level: String(a.level) } },
        writable ? field(t("rubric.level", { n: a.level }), anchors[i])
          : h("p", {}, h("strong", { text: `${t("rubric.level", { n: a.level })}: ` }), a.description)))),
      ...signs.map((s) => h("div", { class: "standard", dataset: { testid: "standard", standardId: s.std.id } },
        h("h5", { text: s.std.name }),
        writable
          ? h("div", { class: "row" }, field(t("rubric.positive"), s.positive), field(t("rubric.negative"), s.negative))
          : h("div", { class: "row" },
            h("div", {}, h("p", { class: "small muted", text: t("rubric.positive_ro") }), list(s.std.positive)),
            h("div", {}, h("p", { class: "small muted", text: t("rubric.negative_ro") }), list(s.std.negative))))),
      writable ? h("div", { class: "actions" }, save) : null);
  };
  return h("section", { class: "setup-block", dataset: { testid: "rubric-editor" } },
    h("h3", { text: t("rubric.title") }),
    h("p", { class: "small muted", text: t("rubric.help", { lang: langLabel(role.language) }) }),
    ...(role.competencies || []).filter((c) => c.anchors).map(one));
}

function scoringEditor(role, onSaved) {
  const sc = (role.settings && role.settings.scoring) || {};
  const th = sc.thresholds || {};
  const writable = isWriter();
  const num = (v, testid, step = 0.05, max = 1) => h("input", { type: "number", min: 0, max, step, value: v,
    disabled: !writable, dataset: { testid } });
  const profile = select([["default", t("scoring.default")], ["eu", t("scoring.eu")]], sc.profile || "default",
    { disabled: !writable, dataset: { testid: "scoring-profile" } });
  const delivery = h("input", { type: "checkbox", checked: sc.delivery === true, disabled: !writable, dataset: { testid: "scoring-delivery" } });
  const presence = h("input", { type: "checkbox", checked: sc.presence === true, disabled: !writable, dataset: { testid: "scoring-presence" } });
  const cw = num(sc.content_weight ?? 0.8, "weight-content");
  const dw = num(sc.delivery_weight ?? 0.1, "weight-delivery");
  const pw = num(sc.presence_weight ?? 0.1, "weight-presence");
  const adv = num(th.advance ?? 70, "threshold-advance", 1, 100);
  const rev = num(th.review ?? 50, "threshold-review", 1, 100);
  const euNote = h("p", { class: "small notice-inline", text: t("scoring.eu_note"), dataset: { testid: "eu-note" } });
  const sync = () => {
    const eu = profile.value === "eu";
    euNote.hidden = !eu;
    if (eu) {
      presence.checked = false;
      pw.value = 0;
    }
    presence.disabled = eu || !writable;
    pw.disabled = eu || !writable;
  };
  profile.addEventListener("change", sync);
  sync();
  const save = h("button", { type: "button", class: "button small primary", text: t("common.save"), dataset: { testid: "save-scoring" } });
  save.addEventListener("click", () => busy(save, t("common.saving"), async () => {
    try {
      const out = await authed(`/roles/${enc(role.id)}/scoring`, {
        method: "PUT",
        body: {
          profile: profile.value, delivery: delivery.checked, presence: presence.checked,
          content_weight: Number(cw.value), delivery_weight: Number(dw.value), presence_weight: Number(pw.value),
          thresholds: { advance: Number(adv.value), review: Number(rev.value) },
        },
      });
      notice(t("scoring.saved"));
      onSaved(out);
    } catch (err) {
      error(messageOf(err));
    }
  }));
  return h("section", { class: "setup-block", dataset: { testid: "scoring-editor" } },
    h("h3", { text: t("scoring.title") }),
    h("p", { class: "small muted", text: t("scoring.help") }),
    field(t("scoring.profile"), profile), euNote,
    h("div", { class: "row" },
      field(t("modality.content"), cw),
      h("div", { class: "field" }, h("label", { class: "check small" }, delivery, h("span", { text: t("modality.delivery") })), dw),
      h("div", { class: "field" }, h("label", { class: "check small" }, presence, h("span", { text: t("modality.presence") })), pw)),
    h("div", { class: "row" }, field(t("scoring.advance"), adv), field(t("scoring.review"), rev)),
    writable ? save : null);
}

/** Persona form, shared by the role page and the organization settings page. */
export function personaEditor(persona, { title, onSave, onClear, testid = "persona-editor" }) {
  const p = persona || {};
  const writable = isWriter();
  const name = h("input", { type: "text", maxLength: 60, value: p.name || "", disabled: !writable, dataset: { testid: "persona-name" } });
  const initials = h("input", { type: "text", maxLength: 3, value: p.initials || "", disabled: !writable, dataset: { testid: "persona-initials" } });
  const en = h("textarea", { rows: 2, maxLength: 500, value: (p.greeting && p.greeting.en) || "", disabled: !writable, dataset: { testid: "persona-greeting-en" } });
  const zh = h("textarea", { rows: 2, maxLength: 500, value: (p.greeting && p.greeting.zh) || "", disabled: !writable, dataset: { testid: "persona-greeting-zh" } });
  const file = h("input", { type: "file", accept: "image/png,image/jpeg,image/webp", disabled: !writable });
  let avatar = p.avatar || null;
  const face = h("div", { class: "avatar", dataset: { testid: "persona-avatar" } });
  const drawFace = () => {
    const letters = (initials.value || name.value.split(/\s+/).map((w) => w[0] || "").join("").slice(0, 2) || "?").toUpperCase();
    face.replaceChildren(avatar ? h("img", { src: avatar, alt: "" }) : h("span", { text: letters }));
  };
  name.addEventListener("input", drawFace);
  initials.addEventListener("input", drawFace);
  file.addEventListener("change", () => {
    const f = file.files && file.files[0];
    if (!f) return;
    if (f.size > 150000) {
      error(t("persona.too_big"));
      file.value = "";
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      avatar = String(reader.result);
      drawFace();
    };
    reader.readAsDataURL(f);
  });
  drawFace();
  const save = h("button", { type: "button", class: "button small primary", text: t("common.save"), dataset: { testid: "save-persona" } });
  save.addEventListener("click", () => busy(save, t("common.saving"), async () => {
    if (!name.value.trim()) {
      error(t("persona.need_name"));
      return;
    }
    const greeting = {};
    if (en.value.trim()) greeting.en = en.value.trim();
    if (zh.value.trim()) greeting.zh = zh.value.trim();
    const body = { name: name.value.trim(), greeting };
    if (initials.value.trim()) body.initials = initials.value.trim();
    if (avatar) body.avatar = avatar;
    try {
      await onSave(body);
      notice(t("persona.saved"));
    } catch (err) {
      error(messageOf(err));
    }
  }));
  const clearAvatar = h("button", { type: "button", class: "button small", text: t("persona.no_picture") });
  clearAvatar.addEventListener("click", () => {
    avatar = null;
    file.value = "";
    drawFace();
  });
  let clear = null;
  if (onClear) {
    clear = h("button", { type: "button", class: "button small", text: t("persona.use_org"), dataset: { testid: "clear-persona" } });
    clear.addEventListener("click", () => busy(clear, t("common.saving"), async () => {
      try {
        await onClear();
        notice(t("persona.cleared"));
      } catch (err) {
        error(messageOf(err));
      }
    }));
  }
  return h("section", { class: "setup-block", dataset: { testid } },
    h("h3", { text: title }),
    h("p", { class: "small muted", text: t("persona.help") }),
    h("div", { class: "persona" }, face,
      h("div", { class: "grow" },
        h("div", { class: "row" }, field(t("persona.name"), name), field(t("persona.initials"), initials)),
        field(t("persona.picture"), file), writable ? clearAvatar : null)),
    field(t("persona.greeting_en"), en), field(t("persona.greeting_zh"), zh),
    writable ? h("div", { class: "actions" }, save, clear) : null);
}

/** The role setup page for role `id`. */
export async function showRole(root, id) {
  const [role, library] = await Promise.all([
    authed(`/roles/${enc(id)}`),
    authed("/library/competencies").catch(() => []),
  ]);
  const redraw = (r) => draw(r || role);
  const draw = (r) => {
    fill(root,
      h("div", { class: "card-head" },
        h("h2", { text: r.title, dataset: { testid: "setup-title" } }),
        h("a", { class: "button small", href: "#/", text: t("common.back"), dataset: { testid: "setup-back" } })),
      h("p", { class: "muted small" }, `${langLabel(r.language)} · ${fmtDate(r.created_at)} · `,
        h("a", { href: `#/compare/${r.id}`, text: t("nav.compare") }), " · ",
        h("a", { href: `#/fairness/${r.id}`, text: t("nav.fairness") })),
      r.description ? h("p", { class: "role-description", text: r.description }) : null,
      isWriter() ? null : h("p", { class: "muted", text: t("roles.readonly"), dataset: { testid: "setup-readonly" } }),
      competencyEditor(r, library, redraw),
      rubricEditor(r, redraw),
      scoringEditor(r, redraw),
      personaEditor((r.settings || {}).persona, {
        title: t("persona.role_title"),
        onSave: async (body) => redraw(await authed(`/roles/${enc(r.id)}/persona`, { method: "PUT", body })),
        onClear: async () => redraw(await authed(`/roles/${enc(r.id)}/persona`, { method: "DELETE" })),
      }),
      isWriter() ? h("section", { class: "setup-block" }, h("h3", { text: t("invite.title") }), inviteBlock(r)) : null,
    );
    const inv = root.querySelector("[data-testid=invite]");
    if (inv) inv.open = true;
  };
  draw(role);
  return role;
}

// The interviewer persona on the candidate's page: a face (picture or initials), a name and
// a greeting in the interview's language, as the organization or the role set them in the
// HR dashboard. Shown above the interview while it runs; purely presentational.

import { api, h } from "./api.js";

const token = location.hash.replace(/^#\/?/, "").trim();

async function show() {
  const main = document.querySelector("main");
  if (!token || !main) return;
  let p;
  try {
    p = await api(`/interview/${encodeURIComponent(token)}/persona`);
  } catch {
    return; // the page itself says what is wrong with the link
  }
  const face = h("div", { class: "avatar small", attrs: { "aria-hidden": "true" } },
    p.avatar ? h("img", { src: p.avatar, alt: "" }) : h("span", { text: p.initials }));
  const card = h("section", { class: "persona-card", dataset: { testid: "persona" } },
    face, h("div", {}, h("strong", { text: p.name, dataset: { testid: "persona-name" } }),
      h("p", { class: "small", text: p.greeting, dataset: { testid: "persona-greeting" } })));
  const anchor = document.getElementById("role-line");
  if (anchor && anchor.parentNode === main) anchor.after(card);
  else main.prepend(card);
  const thanks = document.getElementById("thanks");
  const sync = () => (card.hidden = !!thanks && !thanks.hidden);
  if (thanks) new MutationObserver(sync).observe(thanks, { attributes: true, attributeFilter: ["hidden"] });
  sync();
}

show();

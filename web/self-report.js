// The voluntary self-report on the candidate's thank-you page: when the organization offers
// groups (its adverse-impact monitoring), the candidate may pick one or decline. The answer
// is stored apart from the interview and never used in scoring. Nothing is asked before the
// interview is finished, so it cannot colour the interview itself.

import { api, h } from "./api.js";

const TEXT = {
  en: {
    title: "Optional: help us check our hiring is fair",
    body: "You may tell us which group you belong to. This is voluntary and has no effect on your assessment: it is stored separately, never used in scoring, and only counted in totals so we can check that every group is treated alike.",
    decline: "I prefer not to say",
    save: "Save my answer",
    saved: "Thank you: your answer is saved. You can change it here at any time.",
    withdrawn: "Nothing is stored about your group.",
  },
  zh: {
    title: "可选：帮助我们检查招聘是否公平",
    body: "您可以告诉我们您属于哪个群体。此问题完全自愿，不影响您的评估：答案单独存储，从不用于评分，只以汇总数字用于检查各群体是否受到同等对待。",
    decline: "我不愿透露",
    save: "保存我的回答",
    saved: "谢谢：您的回答已保存，您可随时在此修改。",
    withdrawn: "未存储任何关于您群体的信息。",
  },
};

const token = location.hash.replace(/^#\/?/, "").trim();
const thanks = document.getElementById("thanks");
let shown = false;

async function offer() {
  if (shown || !token || !thanks || thanks.hidden) return;
  shown = true;
  let options;
  try {
    options = await api(`/interview/${encodeURIComponent(token)}/self-report`);
  } catch {
    return; // optional: say nothing rather than show an error
  }
  if (!options || !options.groups || !options.groups.length) return;
  const tx = TEXT[(document.documentElement.lang || "").startsWith("zh") ? "zh" : "en"];
  const name = "self-report-group";
  const choice = (value, label) => h("label", { class: "check" },
    h("input", { type: "radio", name, value, checked: (options.chosen || "") === value }),
    h("span", { text: label }));
  const status = h("p", { class: "notice", role: "status", hidden: true, dataset: { testid: "self-report-done" } });
  const save = h("button", { type: "submit", class: "button", text: tx.save, dataset: { testid: "self-report-submit" } });
  const form = h("form", { class: "stack self-report", dataset: { testid: "self-report" } },
    h("h2", { text: tx.title }),
    h("p", { class: "small muted", text: tx.body }),
    h("fieldset", { class: "choices" },
      h("legend", { class: "sr-only", text: tx.title }),
      options.groups.map((g) => choice(g, g)),
      choice("", tx.decline)),
    save, status);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const picked = form.querySelector(`input[name=${name}]:checked`);
    const group = picked && picked.value ? picked.value : null;
    save.disabled = true;
    try {
      const out = await api(`/interview/${encodeURIComponent(token)}/self-report`, { method: "POST", body: { group } });
      status.textContent = out.stored ? tx.saved : tx.withdrawn;
      status.hidden = false;
    } catch (err) {
      status.textContent = (err && err.message) || String(err);
      status.hidden = false;
    } finally {
      save.disabled = false;
    }
  });
  thanks.append(form);
}

if (thanks) {
  new MutationObserver(offer).observe(thanks, { attributes: true, attributeFilter: ["hidden"] });
  offer();
}

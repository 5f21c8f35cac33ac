// Passwords on the HR dashboard: the signed-in user's "Change password" form (#/account) and
// an admin's "Reset password" action in the users table. The new passwords are checked by the
// server (12 to 128 characters, not common or trivial); its message says what to change.
// Server text reaches the page only through textContent (h() in api.js).

import { busy, h } from "./api.js";
import { authed, error, field, messageOf, notice } from "./hr-common.js";
import { t } from "./hr-i18n.js";

const MIN = 12; // characters; interview/accounts/passwords.py MIN_LENGTH
const MAX = 128; // MAX_LENGTH

/** The change-password form; `onChanged(out)` keeps this page signed in with the new token
 * (every other session of the account has ended). */
export function passwordForm(onChanged) {
  const current = h("input", { type: "password", autocomplete: "current-password", maxLength: 200,
    dataset: { testid: "current-password" } });
  const next = h("input", { type: "password", autocomplete: "new-password", minLength: MIN, maxLength: MAX,
    dataset: { testid: "new-password" } });
  const submit = h("button", { type: "submit", class: "button primary", text: t("account.change"),
    dataset: { testid: "change-password" } });
  const form = h("form", { class: "invite-form", noValidate: true, dataset: { testid: "password-form" } },
    field(t("account.current"), current),
    field(t("account.new"), next, t("account.hint")), submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error("");
    await busy(submit, t("common.saving"), async () => {
      try {
        const out = await authed("/auth/password", {
          method: "POST", body: { current_password: current.value, new_password: next.value } });
        current.value = "";
        next.value = "";
        onChanged(out);
        notice(t("account.changed"));
      } catch (err) {
        error(messageOf(err));
      }
    });
  });
  return h("div", {}, h("p", { class: "small muted", text: t("account.explain") }), form);
}

/** An admin's "Reset password" button for user `u`: a second click confirms; the generated
 * password is then shown once in its place, to hand over privately. */
export function resetButton(u) {
  const button = h("button", { type: "button", class: "button small", text: t("users.reset"),
    dataset: { testid: "reset-password" } });
  let armed = false;
  button.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      button.textContent = t("users.reset_confirm");
      return;
    }
    await busy(button, t("common.saving"), async () => {
      try {
        const out = await authed(`/users/${encodeURIComponent(u.id)}/password`, { method: "POST", body: {} });
        const shown = h("input", { type: "text", readOnly: true, value: out.password, class: "link",
          attrs: { "aria-label": t("users.new_password") }, dataset: { testid: "reset-result" } });
        shown.addEventListener("focus", () => shown.select());
        button.replaceWith(h("div", {}, shown, h("p", { class: "small muted", text: t("users.reset_done") })));
      } catch (err) {
        armed = false;
        button.textContent = t("users.reset");
        error(messageOf(err));
      }
    });
  });
  return button;
}

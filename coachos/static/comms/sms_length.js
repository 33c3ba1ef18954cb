// SMS length hint: how many segments a text takes while it is typed. Mirrors coachos/comms/segments.py:
// GSM-7 fits 160 characters in one text (153 per part once split); any other character (an emoji, a
// curly quote) makes the whole text UCS-2: 70, then 67 per part. Works on any
// <textarea data-sms-length> with a <p data-sms-length-output="<textarea id>">, also in htmx fragments.
(() => {
  if (window.coachosSmsLength) return;
  window.coachosSmsLength = true;
  const BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  const EXTENDED = "^{}\\[~]|€\f";

  const measure = (text) => {
    let septets = 0;
    const other = [];
    for (const char of text) {
      if (BASIC.includes(char)) septets += 1;
      else if (EXTENDED.includes(char)) septets += 2;
      else if (!other.includes(char)) other.push(char);
    }
    const gsm = other.length === 0;
    const units = gsm ? septets : text.length; // JS strings count UTF-16 code units, as UCS-2 does
    const single = gsm ? 160 : 70;
    const multi = gsm ? 153 : 67;
    const segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / multi);
    return { encoding: gsm ? "GSM-7" : "UCS-2", units, segments, single, multi, other };
  };

  const describe = (m) => {
    let text = `${m.units} characters (${m.encoding}): ${m.segments} SMS segment${m.segments === 1 ? "" : "s"}`;
    text += m.segments > 1 ? ` · ${m.multi} per segment once split` : ` · up to ${m.single} in one`;
    if (m.other.length) text += ` · these characters make it UCS-2 (70 per text): ${m.other.join(" ")}`;
    return text;
  };

  const update = (textarea) => {
    const output = document.querySelector(`[data-sms-length-output="${textarea.id}"]`);
    if (output) output.textContent = describe(measure(textarea.value));
  };

  const channelOf = (textarea) => {
    const form = textarea.form;
    const checked = form && form.querySelector('input[name$="channel"]:checked');
    return checked ? checked.value : "sms";
  };

  const refresh = (textarea) => {
    const output = document.querySelector(`[data-sms-length-output="${textarea.id}"]`);
    if (!output) return;
    if (channelOf(textarea) === "sms") update(textarea);
    else output.textContent = "";
  };

  document.addEventListener("input", (event) => {
    const target = event.target;
    if (target instanceof HTMLTextAreaElement && target.hasAttribute("data-sms-length")) refresh(target);
  });
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement && target.name.endsWith("channel") && target.form) {
      target.form.querySelectorAll("textarea[data-sms-length]").forEach(refresh);
    }
  });
  const all = () => document.querySelectorAll("textarea[data-sms-length]").forEach((t) => { if (t.value) refresh(t); });
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSwap", all);
})();

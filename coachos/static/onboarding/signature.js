// The signature on the waiver page: the typed full name plus a signature drawn with a finger,
// pen or mouse (pointer events, so touch screens work too). The drawing is sent as a PNG data
// URL in the hidden "signature" field. People who cannot draw (keyboard, screen reader) tick
// "I can't draw a signature": the pad is put away and their typed name is adopted as the
// signature. Without JavaScript the pad stays hidden and that choice is the way to sign.
// The server checks everything again (a blank drawing is refused there too).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-signature-form]").forEach((form) => {
    const pad = form.querySelector("[data-signature-pad]");
    const canvas = form.querySelector("[data-signature-canvas]");
    const field = form.querySelector("input[name='signature']");
    const clear = form.querySelector("[data-signature-clear]");
    const adopt = form.querySelector("[data-signature-adopt]");
    const adopted = form.querySelector("[data-signature-adopted]");
    const error = form.querySelector("[data-signature-error]");
    if (!pad || !canvas || !field || !canvas.getContext) return;
    const ctx = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;
    let last = null;

    const setup = () => {
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      ctx.fillStyle = "#111";
    };
    setup();

    const hideError = () => {
      if (error) {
        error.hidden = true;
        error.textContent = "";
      }
    };
    const showError = () => {
      if (!error) return;
      error.textContent = error.dataset.message || "";
      error.hidden = false;
    };

    // The accessible alternative: with the box ticked there is nothing to draw.
    const sync = () => {
      const typedOnly = Boolean(adopt && adopt.checked);
      pad.hidden = typedOnly;
      if (adopted) adopted.hidden = !typedOnly;
      if (typedOnly) hideError();
    };
    if (adopt) adopt.addEventListener("change", sync);
    sync();

    const point = (event) => {
      const rect = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - rect.left) * (canvas.width / rect.width),
        y: (event.clientY - rect.top) * (canvas.height / rect.height),
      };
    };
    canvas.addEventListener("pointerdown", (event) => {
      if (event.button !== undefined && event.button > 0) return; // right or middle mouse button
      event.preventDefault();
      drawing = true;
      last = point(event);
      try {
        canvas.setPointerCapture(event.pointerId); // keep the stroke when the finger leaves the box
      } catch (_) {
        // the pointer is already gone; drawing still works without capture
      }
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fill();
      drawn = true;
      hideError();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      event.preventDefault();
      const next = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(next.x, next.y);
      ctx.stroke();
      last = next;
    });
    const stop = () => { drawing = false; last = null; };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("lostpointercapture", stop);

    if (clear) {
      clear.addEventListener("click", () => {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        setup();
        drawn = false;
        field.value = "";
      });
    }
    form.addEventListener("submit", (event) => {
      if (adopt && adopt.checked) {
        field.value = "";
        return;
      }
      if (!drawn) {
        event.preventDefault();
        showError();
        canvas.scrollIntoView({ block: "center" });
        return;
      }
      field.value = canvas.toDataURL("image/png");
    });
  });
});

// The signature pad on the waiver page. Progressive: without JavaScript the pad stays hidden and
// the typed name plus the "I agree" tick are the signature (also the keyboard and screen-reader
// way). With it, a person may also draw with a finger, pen or mouse (pointer events); the drawing
// is sent as a PNG data URL in the hidden "signature" field.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-signature-form]").forEach((form) => {
    const pad = form.querySelector("[data-signature-pad]");
    const canvas = form.querySelector("[data-signature-canvas]");
    const field = form.querySelector("input[name='signature']");
    const clear = form.querySelector("[data-signature-clear]");
    if (!pad || !canvas || !field || !canvas.getContext) return;
    pad.hidden = false;
    const ctx = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;
    let last = null;

    const setup = () => {
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
    };
    setup();

    const point = (event) => {
      const rect = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - rect.left) * (canvas.width / rect.width),
        y: (event.clientY - rect.top) * (canvas.height / rect.height),
      };
    };
    canvas.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      drawing = true;
      last = point(event);
      canvas.setPointerCapture(event.pointerId);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fillStyle = "#111";
      ctx.fill();
      drawn = true;
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
      drawn = true;
    });
    const stop = () => { drawing = false; last = null; };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    clear.addEventListener("click", () => {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      setup();
      drawn = false;
      field.value = "";
    });
    form.addEventListener("submit", () => {
      field.value = drawn ? canvas.toDataURL("image/png") : "";
    });
  });
});

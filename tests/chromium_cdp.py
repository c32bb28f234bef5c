"""A tiny headless-Chromium driver for the report tests: the DevTools protocol over a pipe
(``--remote-debugging-pipe``: commands on fd 3, replies on fd 4, NUL-separated JSON), so
no websocket library and no network port are needed.

It loads a page from disk at a given viewport, evaluates JavaScript in it (the page's own
Content-Security-Policy does not apply to the protocol), prints it to PDF and takes
screenshots.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser",
                                                        "google-chrome")) if p), None)
SKIP_REASON = "Chromium is not installed (apt-get install chromium; .ci/run does it)"


class Browser:
    """One headless Chromium with one page (tab)."""

    def __init__(self, profile: Path, timeout: float = 60.0) -> None:
        assert CHROMIUM is not None, SKIP_REASON
        self.timeout = timeout
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()

        def wire() -> None:  # in the child: fd 3 reads our commands, fd 4 carries replies
            high_r = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)  # out of the way of 3 and 4
            high_w = fcntl.fcntl(out_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)  # dup2 leaves 3 and 4 inheritable
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--hide-scrollbars", "--mute-audio",
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, close_fds=False)  # noqa: PLW1509 - the tests start no threads
        os.close(cmd_r)
        os.close(out_w)
        self._buf = b""
        self._next = 0
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (OSError, RuntimeError, TimeoutError):  # it may already be gone
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._cmd_w, self._out_r):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ protocol

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next += 1
        msg: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        end = time.monotonic() + self.timeout
        while True:
            while b"\0" in self._buf:
                raw, self._buf = self._buf.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self._next:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error']}")
                    return dict(reply.get("result", {}))
            left = end - time.monotonic()
            if left <= 0 or not select.select([self._out_r], [], [], left)[0]:
                raise TimeoutError(f"no reply to {method} in {self.timeout} s")
            chunk = os.read(self._out_r, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buf += chunk

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.call(method, self.session, **params)

    # ------------------------------------------------------------------ helpers

    def open(self, url: str, width: int = 1280, height: int = 900, mobile: bool = False) -> None:
        self.page("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)
        self.page("Page.navigate", url=url)
        end = time.monotonic() + self.timeout
        while self.eval("document.readyState") != "complete" or self.eval("location.href") != url:
            if time.monotonic() > end:
                raise TimeoutError(f"{url} did not load")
            time.sleep(0.05)

    def eval(self, expression: str) -> Any:
        reply = self.page("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression[:80]}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def pdf(self) -> bytes:
        """The page printed on A4 as the browser's print dialog would (backgrounds kept)."""
        data = self.page("Page.printToPDF", printBackground=True, paperWidth=8.27,
                         paperHeight=11.69, marginTop=0, marginBottom=0, marginLeft=0,
                         marginRight=0, preferCSSPageSize=True)["data"]
        return base64.b64decode(data)

    def screenshot(self, path: Path, top: int = 0, height: int | None = None) -> Path:
        """A PNG of the page from ``top``, ``height`` pixels tall (default: to its end)."""
        w, h = self.eval("[document.documentElement.scrollWidth,"
                         " document.documentElement.scrollHeight]")
        top = max(0, min(top, h - 1))
        height = max(1, min(h - top, 16000) if height is None else min(height, h - top))
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": True,
                                  "clip": {"x": 0, "y": top, "width": w, "height": height,
                                           "scale": 1}}
        path.write_bytes(base64.b64decode(self.page("Page.captureScreenshot", **params)["data"]))
        return path


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF Chromium wrote (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


OVERFLOW_JS = """(() => {
  const vw = document.documentElement.clientWidth;
  const out = [];
  const doc = document.documentElement.scrollWidth;
  if (doc > vw + 1) out.push('document ' + doc);
  for (const el of document.querySelectorAll('body *')) {
    let p = el.parentElement, clipped = false;
    while (p && p !== document.body) {
      const s = getComputedStyle(p);
      if (s.overflowX !== 'visible') { clipped = true; break; }
      p = p.parentElement;
    }
    if (clipped) continue;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > vw + 1)
      out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right));
  }
  return out.slice(0, 20);
})()"""
"""Elements that stick out to the right of the viewport (not inside a scrolling box)."""

"""A small Chrome DevTools Protocol client over --remote-debugging-pipe (Python standard library).

Chromium reads commands from file descriptor 3 and writes replies and events to file descriptor 4,
each message one JSON text ended by a NUL byte. No port is opened and nothing else is needed.
"""
import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time


class CdpError(RuntimeError):
    pass


class Browser:
    """One headless Chromium. Use as a context manager; `page()` opens a tab."""

    def __init__(self, exe="chromium", extra_args=()):
        path = shutil.which(exe) or exe
        if not os.path.exists(path):
            raise CdpError("%s not found: .ci/install-deps installs Debian's chromium" % exe)
        self.profile = tempfile.mkdtemp(prefix="recur-chromium-")
        cmd_r, cmd_w = os.pipe()  # we write commands, Chromium reads them on fd 3
        res_r, res_w = os.pipe()  # Chromium writes replies on fd 4, we read them
        # Out of the way of 3 and 4, so that the dup2 calls in the child cannot clobber each other.
        child_in = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(res_w, fcntl.F_DUPFD, 10)
        os.close(cmd_r)
        os.close(res_w)

        def wire():  # in the child, before exec: the two pipe ends become fds 3 and 4 (inheritable)
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        args = [path, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--remote-debugging-pipe", "--user-data-dir=" + self.profile, "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--mute-audio", "--hide-scrollbars",
                "--disable-crash-reporter", "--disable-breakpad", *extra_args, "about:blank"]
        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        # close_fds=False: Python's own descriptors are not inheritable anyway (PEP 446); only 3 and 4 pass.
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                     preexec_fn=wire, close_fds=False)
        os.close(child_in)
        os.close(child_out)
        self.wfd, self.rfd = cmd_w, res_r
        self.buf = bytearray()
        self.next_id = 0
        self.events = []  # events not consumed yet: (sessionId, method, params)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("Browser.close", timeout=10)
            except Exception:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (self.wfd, self.rfd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- messages

    def _read(self, deadline):
        while True:
            end = self.buf.find(b"\0")
            if end >= 0:
                msg = bytes(self.buf[:end])
                del self.buf[:end + 1]
                return json.loads(msg)
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("no answer from Chromium in time")
            ready, _, _ = select.select([self.rfd], [], [], left)
            if ready:
                chunk = os.read(self.rfd, 1 << 20)
                if not chunk:
                    raise CdpError("Chromium closed the pipe (exit status %s)" % self.proc.poll())
                self.buf += chunk

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            n = os.write(self.wfd, data)
            data = data[n:]
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise CdpError("%s: %s" % (method, m["error"].get("message")))
                return m.get("result", {})
            if "method" in m:
                self.events.append((m.get("sessionId"), m["method"], m.get("params", {})))

    def pump(self, seconds):
        """Reads events for `seconds`."""
        deadline = time.monotonic() + seconds
        try:
            while True:
                m = self._read(deadline)
                if "method" in m:
                    self.events.append((m.get("sessionId"), m["method"], m.get("params", {})))
        except CdpError as e:
            if "in time" not in str(e):
                raise

    def page(self, width=1400, height=1000):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, target, session, width, height)


class Page:
    """One tab: navigation, script evaluation, real mouse clicks and keys, screenshots, and every
    console error, uncaught exception and network request it saw."""

    def __init__(self, browser, target, session, width, height):
        self.b, self.target, self.session = browser, target, session
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.cmd(domain + ".enable")
        self.cmd("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def cmd(self, method, params=None, timeout=60):
        return self.b.send(method, params, self.session, timeout)

    def close(self):
        self.b.send("Target.closeTarget", {"targetId": self.target})

    def _mine(self):
        return [(m, p) for (s, m, p) in self.b.events if s == self.session]

    def errors(self):
        """Console errors, uncaught exceptions and error log entries (blocked requests among them)."""
        out = []
        for method, p in self._mine():
            if method == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append("exception: %s %s" % (d.get("text"), d.get("exception", {}).get("description", "")))
            elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console.%s: %s" % (p["type"], " ".join(str(a.get("value", a.get("description")))
                                                                  for a in p.get("args", []))))
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                e = p["entry"]
                out.append("log (%s): %s %s" % (e.get("source"), e.get("text"), e.get("url", "")))
        return out

    def requests(self):
        return [p["request"]["url"] for method, p in self._mine() if method == "Network.requestWillBeSent"]

    def navigate(self, url, timeout=120):
        self.cmd("Page.navigate", {"url": url}, timeout=timeout)

    def evaluate(self, expression, timeout=60):
        r = self.cmd("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True},
                     timeout=timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CdpError("evaluate failed: %s %s" % (d.get("text"), d.get("exception", {}).get("description", "")))
        return r.get("result", {}).get("value")

    def wait_for(self, expression, timeout=60, interval=0.1):
        deadline = time.monotonic() + timeout
        while True:
            try:
                v = self.evaluate(expression)
            except CdpError:
                v = None  # the page may be between documents
            if v:
                return v
            if time.monotonic() > deadline:
                raise CdpError("timed out waiting for: " + expression)
            self.b.pump(interval)

    def click(self, selector, index=0):
        """A real click: the element is scrolled into view, then the mouse is pressed and released over it."""
        pos = self.evaluate(
            "(() => { const e = document.querySelectorAll(%s)[%d]; if (!e) return null;"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.left + Math.min(r.width / 2, 40), r.top + Math.min(r.height / 2, 12)]; })()"
            % (json.dumps(selector), index))
        if not pos:
            raise CdpError("nothing to click: %s[%d]" % (selector, index))
        self.click_at(*pos)

    def click_at(self, x, y):
        """A real click at viewport coordinates (CSS pixels)."""
        self.cmd("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        self.cmd("Input.dispatchMouseEvent", {"type": "mousePressed", "x": x, "y": y, "button": "left",
                                              "buttons": 1, "clickCount": 1})
        self.cmd("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": x, "y": y, "button": "left",
                                              "buttons": 0, "clickCount": 1})

    def type_text(self, selector, text):
        self.evaluate("document.querySelector(%s).focus()" % json.dumps(selector))
        self.cmd("Input.insertText", {"text": text})

    def screenshot(self, path, max_height=3000):
        """The page from its top (scrolled there: sticky bars would be drawn where the view was)."""
        self.evaluate("window.scrollTo(0, 0)")
        height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)") or 1000
        width = self.evaluate("Math.ceil(document.documentElement.clientWidth)") or 1400
        r = self.cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": min(height, max_height), "scale": 1}}, timeout=120)
        with open(path, "wb") as f:
            f.write(base64.b64decode(r["data"]))

"""Headless Chromium driven over the DevTools protocol with websocket-client.

Just enough of a browser driver for the end-to-end tests: navigate, evaluate
JavaScript, wait for a condition, take a screenshot. No selenium/playwright.
"""

import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import websocket

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_chromium():
    path = os.environ.get("CLIENTBASE_CHROMIUM")
    if path:
        return path
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium") or shutil.which("google-chrome")


def free_port():
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DevToolsError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page; use as a context manager."""

    def __init__(self, binary, width=1440, height=900, timeout=20):
        self.binary, self.width, self.height, self.timeout = binary, width, height, timeout
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="clientbase-chromium-")
        self.process = None
        self.ws = None
        self._next_id = 0
        self.console_errors = []

    # --- lifecycle ----------------------------------------------------------
    def __enter__(self):
        self.process = subprocess.Popen(
            [
                self.binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--hide-scrollbars",
                f"--window-size={self.width},{self.height}",
                f"--remote-debugging-port={self.port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self.ws = websocket.create_connection(
                self._page_ws_url(), timeout=self.timeout, suppress_origin=True
            )
            self.send("Page.enable")
            self.send("Runtime.enable")
            self.send(
                "Emulation.setDeviceMetricsOverride",
                width=self.width,
                height=self.height,
                deviceScaleFactor=1,
                mobile=False,
            )
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.ws:
            with contextlib.suppress(Exception):
                self.ws.close()
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _page_ws_url(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise DevToolsError(f"{self.binary} exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=2) as resp:
                    targets = json.load(resp)
                pages = [t for t in targets if t.get("type") == "page" and t.get("webSocketDebuggerUrl")]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            except OSError:
                pass
            time.sleep(0.2)
        raise DevToolsError(f"Chromium DevTools did not answer on port {self.port}")

    # --- protocol -------------------------------------------------------------
    def send(self, method, **params):
        self._next_id += 1
        msg_id = self._next_id
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if message.get("method") == "Runtime.exceptionThrown":
                self.console_errors.append(message["params"]["exceptionDetails"].get("text"))
            if message.get("id") == msg_id:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error']}")
                return message.get("result", {})
        raise DevToolsError(f"{method}: no answer within {self.timeout} s")

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise DevToolsError(f"JavaScript error in {expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    # --- helpers ---------------------------------------------------------------
    def navigate(self, url):
        # the old document may still answer for a moment: mark it, then wait for a new one
        self.evaluate("window.__clientbase_old_page = true")
        self.send("Page.navigate", url=url)
        self.wait_for(
            "document.readyState === 'complete' && !window.__clientbase_old_page", what=f"page {url}"
        )

    def wait_for(self, expression, timeout=None, what=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except DevToolsError:
                value = None  # page in the middle of a navigation
            if value:
                return value
            time.sleep(0.25)
        raise DevToolsError(
            f"timed out waiting for {what or expression}; page: {self.evaluate('location.href')}"
        )

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as png:
            png.write(base64.b64decode(data))
        return path

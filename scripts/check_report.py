#!/usr/bin/env python3
"""Render a run's report.html in a real headless browser (Debian's chromium), take a
screenshot, and fail on broken images or an empty page. Run by hand, not in CI:

    python3 scripts/check_report.py runs/RUN/report.html [--screenshot shot.png]

Needs `apt-get install chromium`. Flags as in ../shared/measurements.md (root needs
--no-sandbox and a fresh --user-data-dir)."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

PROBE = """<script>
window.addEventListener('load', () => {
  const imgs = Array.from(document.images);
  const broken = imgs.filter(i => !i.complete || i.naturalWidth === 0).length;
  document.body.setAttribute('data-check', JSON.stringify({
    images: imgs.length, broken: broken, text: document.body.innerText.length,
    widths: imgs.map(i => i.naturalWidth)}));
});
</script>"""


def chromium(args, user_dir):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        sys.exit("chromium not found: apt-get install chromium")
    base = [exe, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", f"--user-data-dir={user_dir}",
            "--allow-file-access-from-files", "--virtual-time-budget=10000"]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("--screenshot", default="report_screenshot.png")
    a = ap.parse_args()
    page = open(a.report, encoding="utf-8").read()
    with tempfile.TemporaryDirectory() as tmp:
        probe = os.path.join(tmp, "probe.html")
        with open(probe, "w", encoding="utf-8") as f:
            f.write(page.replace("</body>", PROBE + "</body>"))
        dom = chromium(["--dump-dom", "file://" + probe], os.path.join(tmp, "u1"))
        m = re.search(r"data-check=\"([^\"]*)\"", dom.stdout)
        if m is None:
            sys.exit(f"FAIL: the page did not load (no probe result)\n{dom.stderr[-2000:]}")
        check = json.loads(m.group(1).replace("&quot;", '"'))
        shot = os.path.abspath(a.screenshot)
        chromium([f"--screenshot={shot}", "--window-size=1200,1800",
                  "file://" + os.path.abspath(a.report)], os.path.join(tmp, "u2"))
    print(f"images: {check['images']}, broken: {check['broken']}, "
          f"widths: {check['widths']}, text characters: {check['text']}")
    problems = []
    if check["images"] == 0:
        problems.append("no images")
    if check["broken"] > 0:
        problems.append(f"{check['broken']} broken images")
    if check["text"] < 200:
        problems.append("the page is (nearly) empty")
    if not os.path.exists(shot) or os.path.getsize(shot) < 10000:
        problems.append("no screenshot (or a blank one)")
    if problems:
        sys.exit("FAIL: " + "; ".join(problems))
    print(f"OK: screenshot {shot} ({os.path.getsize(shot)} bytes)")


if __name__ == "__main__":
    main()

"""The audit's HTML in a real browser: headless Chromium renders it, and the
screenshot must show something and the DOM must hold the attrition chart."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, TRIALS

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and shutil.which("chromium") is None,
    reason="headless Chromium is not installed (Debian: apt-get install chromium)",
)


def _chromium() -> str:
    return CHROMIUM if Path(CHROMIUM).exists() else str(shutil.which("chromium"))


def _png_pixels(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Width, height, bytes per pixel and the unfiltered rows of an 8-bit PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8, f"unexpected bit depth {depth}"
    bpp = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def _browser(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)


def test_audit_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "audit.html"
    made = subprocess.run(
        [sys.executable, "-m", "eligibility", "audit", str(TRIALS / "NCT06949137_page.txt"),
         str(TRIALS / "NCT04501354_medpath.txt"), "--patients", str(SAMPLES / "patients" / "fhir"),
         "--as-of", "2026-01-01", "-o", str(page)],
        capture_output=True, text=True, timeout=300,
    )
    assert made.returncode == 0, made.stderr

    shot = tmp_path / "audit.png"
    result = _browser(f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri(), profile=tmp_path / "profile")
    assert shot.exists(), f"no screenshot: {result.stderr[-2000:]}"
    data = shot.read_bytes()
    assert len(data) > 20_000, f"screenshot suspiciously small ({len(data)} bytes)"
    width, height, bpp, rows = _png_pixels(data)
    assert (width, height) == (1280, 2000)
    colours = {row[i:i + 3] for row in rows[::10] for i in range(0, len(row), bpp * 10)}
    assert len(colours) > 20, "the screenshot is (nearly) one colour"
    # Something is drawn in the lower half too: the page is not a header over a blank.
    lower = {row[i:i + 3] for row in rows[height // 2::10] for i in range(0, len(row), bpp * 10)}
    assert len(lower) > 5

    dom = _browser("--dump-dom", page.as_uri(), profile=tmp_path / "profile2")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<svg" in dom.stdout and "Attrition" in dom.stdout
    assert "NCT04501354" in dom.stdout and "<mark" in dom.stdout

"""Scans of a rendered PDF (samples.generate.pdf): page images with the faults real scanners add.

Pages are rendered with pypdfium2 at 300/200/150 dpi, then degraded per seed: skew, blur, noise,
uneven light, JPEG artefacts, and optionally turned 90/180/270 degrees. Faint and broken rules are
drawn by the PDF renderer (PdfStyle.line_gray / line_gaps) so they stay rules. Saved as an
image-only PDF, PNG pages or a multi-page TIFF.

    python -m samples.generate scan forms.pdf --dpi 200 --preset noisy --out scan.pdf
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image


@dataclass(frozen=True, slots=True)
class ScanStyle:
    dpi: int = 300
    skew: float = 0.0  # degrees, counter-clockwise
    blur: float = 0.0  # Gaussian sigma in pixels
    noise: float = 0.0  # Gaussian noise sigma (grey levels)
    speckle: float = 0.0  # share of pixels flipped to black or white
    light: float = 0.0  # depth of an uneven-light gradient, 0..1
    jpeg: int | None = None  # JPEG quality, None: lossless
    quarter_turns: int = 0  # page put on the scanner turned by 90° steps (clockwise)

    @classmethod
    def preset(cls, name: str, dpi: int, seed: int = 0) -> ScanStyle:
        """clean | noisy (noise or a 1–2° skew) | heavy (everything at once)."""
        rng = random.Random(f"scan-{name}-{seed}")
        sign = rng.choice([-1, 1])
        if name == "clean":
            return cls(dpi=dpi, skew=sign * rng.uniform(0.0, 0.3), blur=0.4)
        if name == "noisy":
            return cls(dpi=dpi, skew=sign * rng.uniform(1.0, 2.0), blur=rng.uniform(0.5, 0.9),
                       noise=rng.uniform(6, 12), light=rng.uniform(0.05, 0.15), jpeg=rng.choice([70, 80]))
        if name == "heavy":
            return cls(dpi=dpi, skew=sign * rng.uniform(0.5, 2.0), blur=rng.uniform(0.8, 1.2),
                       noise=rng.uniform(12, 20), speckle=0.002, light=rng.uniform(0.2, 0.35),
                       jpeg=rng.choice([35, 45, 55]))
        raise ValueError(f"unknown scan preset {name!r}")


def render_pages(pdf: bytes, dpi: int) -> list[np.ndarray]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [np.asarray(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")) for page in doc]
    finally:
        doc.close()


def degrade(page: np.ndarray, style: ScanStyle, seed: int) -> np.ndarray:
    """One grey page as a scanner with `style`'s faults would return it."""
    rng = np.random.default_rng(seed)
    img = page.astype(np.float32)
    h, w = img.shape
    if style.skew:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), style.skew, 1.0)
        img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    if style.blur:
        img = cv2.GaussianBlur(img, (0, 0), style.blur)
    if style.light:
        # Darker towards one corner, as under a lid that does not close.
        gx, gy = np.meshgrid(np.linspace(0, 1, w, dtype=np.float32), np.linspace(0, 1, h, dtype=np.float32))
        img = img * (1 - style.light * (0.6 * gx + 0.4 * gy))
    if style.noise:
        img = img + rng.normal(0, style.noise, img.shape).astype(np.float32)
    if style.speckle:
        mask = rng.random(img.shape) < style.speckle
        img[mask] = rng.choice([0, 255], size=int(mask.sum()))
    out = np.clip(img, 0, 255).astype(np.uint8)
    if style.jpeg:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, style.jpeg])
        out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE) if ok else out
    if style.quarter_turns:
        out = np.ascontiguousarray(np.rot90(out, k=-(style.quarter_turns % 4)))
    return out


def scan_pages(pdf: bytes, style: ScanStyle, seed: int = 0, pages: list[int] | None = None) -> list[np.ndarray]:
    """Rendered and degraded pages (0-based `pages` to keep only some)."""
    rendered = render_pages(pdf, style.dpi)
    keep = pages if pages is not None else list(range(len(rendered)))
    return [degrade(rendered[i], style, seed * 1000 + i) for i in keep]


def to_pdf(pages: list[np.ndarray], dpi: int) -> bytes:
    """An image-only PDF: one JPEG-free greyscale image per page, no text layer."""
    images = [Image.fromarray(p) for p in pages]
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=float(dpi))
    return buf.getvalue()


def to_tiff(pages: list[np.ndarray], dpi: int) -> bytes:
    images = [Image.fromarray(p) for p in pages]
    buf = io.BytesIO()
    images[0].save(buf, format="TIFF", save_all=True, append_images=images[1:], dpi=(dpi, dpi),
                   compression="tiff_deflate")
    return buf.getvalue()


def to_png(page: np.ndarray, dpi: int) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(page).save(buf, format="PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def write_scan(pdf_path: Path, out: Path, dpi: int = 200, preset: str = "clean", seed: int = 0) -> int:
    """Scan a PDF into `out` (`python -m samples.generate scan`): an image-only .pdf, a multi-page .tif, or a
    folder of PNG pages; returns the pages."""
    style = ScanStyle.preset(preset, dpi, seed)
    pages = scan_pages(pdf_path.read_bytes(), style, seed)
    if out.suffix == ".pdf":
        out.write_bytes(to_pdf(pages, dpi))
    elif out.suffix in (".tif", ".tiff"):
        out.write_bytes(to_tiff(pages, dpi))
    else:
        out.mkdir(parents=True, exist_ok=True)
        for i, page in enumerate(pages, 1):
            (out / f"page-{i:03d}.png").write_bytes(to_png(page, dpi))
    return len(pages)

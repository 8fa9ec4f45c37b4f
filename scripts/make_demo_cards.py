#!/usr/bin/env python3
"""Draw the demo hospital's share cards (1200 x 630 PNG, no metadata).

One card per service line in policy/service-lines.yml, written to
content/assets/cards/<id>.png. Run again after adding a service line.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
COLOURS = ["#283593", "#00695c", "#6a1b9a", "#ad1457", "#37474f", "#2e7d32", "#4e342e", "#1565c0"]


def font(size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow before 10.1
        return ImageFont.load_default()


def main() -> None:
    hospital = yaml.safe_load((ROOT / "policy/hospital.yml").read_text())
    lines = yaml.safe_load((ROOT / "policy/service-lines.yml").read_text())["service_lines"]
    out = ROOT / "content/assets/cards"
    out.mkdir(parents=True, exist_ok=True)
    for index, (line_id, line) in enumerate(sorted(lines.items())):
        image = Image.new("RGB", (1200, 630), COLOURS[index % len(COLOURS)])
        draw = ImageDraw.Draw(image)
        draw.rectangle((60, 60, 1140, 570), outline="#ffffff", width=6)
        draw.text((110, 200), hospital["name"], fill="#ffffff", font=font(44))
        draw.text((110, 290), line["name"], fill="#ffffff", font=font(72))
        draw.text((110, 420), "Health Library", fill="#e0e0e0", font=font(40))
        image.save(out / f"{line_id}.png", optimize=True)
        print(out / f"{line_id}.png")


if __name__ == "__main__":
    main()

"""Images in the pipeline: personal metadata blocks a check and a build, and
what a build publishes carries no metadata at all."""

from __future__ import annotations

import json
import os

from PIL import ExifTags, Image, PngImagePlugin

from carepress.cli import main
from test_build import mkdocs_build


def gps_photo(path):
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 47.0, 53.0)
    Image.new("RGB", (40, 20), "#446688").save(path, exif=exif)


def test_image_with_location_is_an_error_in_check(project, article, capsys):
    project.write("articles/a.md", article)
    gps_photo(project.root / "content/articles/photo.jpg")
    cwd = os.getcwd()
    os.chdir(project.root)
    try:
        code = main(["check", "--format", "json", "--today", "2026-11-24"])
    finally:
        os.chdir(cwd)
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(d["rule"], d["path"], d["kind"]) for d in data] == [
        ("phi.image-metadata", "content/articles/photo.jpg", "image")
    ]
    assert "exif:GPSInfo" in data[0]["message"]


def test_image_with_location_stops_the_build(project, article):
    project.write("articles/a.md", article)
    gps_photo(project.root / "content/articles/photo.jpg")
    done = mkdocs_build(project.root, project.root / "site")
    assert done.returncode == 1
    assert "content/articles/photo.jpg: [phi.image-metadata]" in done.stderr


def test_published_images_carry_no_metadata(project, article):
    project.write("articles/a.md", article + "\n![A blood pressure cuff](cuff.png)\n")
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "Example Editor 3")
    Image.new("RGB", (40, 20), "#446688").save(project.root / "content/articles/cuff.png", pnginfo=info)
    done = mkdocs_build(project.root, project.root / "site")
    assert done.returncode == 0, done.stderr[-2000:]
    published = Image.open(project.root / "site/articles/cuff.png")
    assert published.info == {}
    assert published.getexif() == {}
    original = Image.open(project.root / "content/articles/cuff.png")
    assert original.info["Software"] == "Example Editor 3"
    assert published.tobytes() == original.convert("RGB").tobytes()

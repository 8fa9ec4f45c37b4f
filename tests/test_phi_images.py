"""Personal metadata in patient photos: found, named and stripped."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from carepress.phi.images import image_metadata_hits, strip_metadata

XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Maria'
    b' Lopez"/></rdf:RDF></x:xmpmeta>'
)


def _photo(size: tuple[int, int] = (40, 20)) -> Image.Image:
    im = Image.new("RGB", size, (200, 30, 30))
    im.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue
    return im


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    # A tag in the first IFD too: Pillow's PNG writer skips an Exif that
    # holds nothing but a GPS block.
    exif[ExifTags.Base.Make] = "ExampleCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (39.0, 47.0, 53.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (89.0, 39.0, 0.0)
    return exif


def _personal_exif() -> Image.Exif:
    exif = _gps_exif()
    exif[ExifTags.Base.Artist] = "Maria Lopez"
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    sub[ExifTags.Base.CameraOwnerName] = "Luis Ortega"
    sub[ExifTags.Base.BodySerialNumber] = "SN-0042117"
    sub[ExifTags.Base.DateTimeOriginal] = "2025:03:03 09:41:00"
    return exif


def _with_iptc(jpeg: bytes) -> bytes:
    """Insert an APP13 Photoshop block with one IPTC dataset (2:80 By-line)."""
    name = b"Maria Lopez"
    iptc = b"\x1c\x02\x50" + struct.pack(">H", len(name)) + name
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc))
    resource += iptc + (b"\x00" if len(iptc) % 2 else b"")
    body = b"Photoshop 3.0\x00" + resource
    segment = b"\xff\xed" + struct.pack(">H", len(body) + 2) + body
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + segment + jpeg[2:]


def test_clean_jpeg_has_no_hits(tmp_path: Path) -> None:
    path = tmp_path / "clean.jpg"
    _photo().save(path, "JPEG")
    assert image_metadata_hits(path) == []


def test_jpeg_with_gps_exif(tmp_path: Path) -> None:
    path = tmp_path / "gps.jpg"
    _photo().save(path, "JPEG", exif=_gps_exif())
    assert image_metadata_hits(path) == ["exif:GPSInfo"]


def test_jpeg_with_personal_exif_tags(tmp_path: Path) -> None:
    path = tmp_path / "owner.jpg"
    _photo().save(path, "JPEG", exif=_personal_exif())
    assert image_metadata_hits(path) == [
        "exif:GPSInfo",
        "exif:Artist",
        "exif:CameraOwnerName",
        "exif:BodySerialNumber",
        "exif:DateTimeOriginal",
    ]


def test_camera_settings_alone_are_not_personal(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "ExampleCam"
    exif[ExifTags.Base.Orientation] = 1
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.ExposureTime] = 0.01
    path = tmp_path / "settings.jpg"
    _photo().save(path, "JPEG", exif=exif)
    assert image_metadata_hits(path) == []


def test_jpeg_with_xmp(tmp_path: Path) -> None:
    path = tmp_path / "xmp.jpg"
    _photo().save(path, "JPEG", xmp=XMP)
    assert image_metadata_hits(path) == ["xmp"]


def test_jpeg_with_iptc(tmp_path: Path) -> None:
    plain = tmp_path / "plain.jpg"
    _photo().save(plain, "JPEG")
    path = tmp_path / "iptc.jpg"
    path.write_bytes(_with_iptc(plain.read_bytes()))
    assert image_metadata_hits(path) == ["iptc"]


def test_jpeg_comment(tmp_path: Path) -> None:
    path = tmp_path / "comment.jpg"
    _photo().save(path, "JPEG", comment=b"Rosa in room 412")
    assert image_metadata_hits(path) == ["comment"]


def test_png_text_chunks(tmp_path: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Maria Lopez")
    info.add_text("Software", "ExampleEditor 2.1")  # not personal
    info.add_itxt("Description", "Discharge day")
    path = tmp_path / "text.png"
    _photo().save(path, "PNG", pnginfo=info)
    assert image_metadata_hits(path) == ["png:Author", "png:Description"]


def test_png_with_xmp_and_exif(tmp_path: Path) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    path = tmp_path / "xmp.png"
    _photo().save(path, "PNG", pnginfo=info, exif=_gps_exif())
    assert image_metadata_hits(path) == ["exif:GPSInfo", "xmp"]


def test_tiff_artist_and_xmp(tmp_path: Path) -> None:
    path = tmp_path / "scan.tiff"
    _photo().save(path, "TIFF", tiffinfo={int(ExifTags.Base.Artist): "Maria Lopez", 700: XMP})
    assert image_metadata_hits(path) == ["exif:Artist", "xmp"]


def test_webp_with_gps_and_xmp(tmp_path: Path) -> None:
    path = tmp_path / "photo.webp"
    _photo().save(path, "WEBP", exif=_gps_exif(), xmp=XMP)
    assert image_metadata_hits(path) == ["exif:GPSInfo", "xmp"]


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp", ".tiff"])
def test_strip_removes_everything(tmp_path: Path, suffix: str) -> None:
    fmt = {".jpg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".tiff": "TIFF"}[suffix]
    src = tmp_path / f"src{suffix}"
    extra: dict[str, object] = {"exif": _personal_exif()}
    if fmt == "PNG":
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Maria Lopez")
        info.add_itxt("XML:com.adobe.xmp", XMP.decode())
        extra["pnginfo"] = info
    elif fmt == "TIFF":
        extra = {"tiffinfo": {int(ExifTags.Base.Artist): "Maria Lopez", 700: XMP}}
    else:
        extra["xmp"] = XMP
    _photo().save(src, fmt, **extra)
    assert image_metadata_hits(src)  # there is something to strip

    dst = tmp_path / f"dst{suffix}"
    strip_metadata(src, dst)

    assert image_metadata_hits(dst) == []
    with Image.open(dst) as out:
        assert out.format == fmt
        exif = out.getexif()
        if fmt == "TIFF":  # a TIFF's own structure lives in the same tags
            assert not {int(ExifTags.Base.Artist), 700, int(ExifTags.IFD.GPSInfo)} & set(exif)
        else:
            assert not exif
        assert "xmp" not in out.info and "exif" not in out.info
        assert not getattr(out, "text", {})
        assert out.size == (40, 20)


def test_strip_applies_orientation(tmp_path: Path) -> None:
    exif = _gps_exif()
    exif[ExifTags.Base.Orientation] = 6  # stored sideways: rotate 90° clockwise to view
    src = tmp_path / "sideways.jpg"
    _photo((40, 20)).save(src, "JPEG", exif=exif, quality=95)
    dst = tmp_path / "upright.jpg"
    strip_metadata(src, dst)
    with Image.open(dst) as out:
        assert out.size == (20, 40)
        assert not out.getexif()
        # The blue left half of the stored image is now on top.
        assert out.convert("RGB").getpixel((10, 5))[2] > 150
        assert out.convert("RGB").getpixel((10, 35))[0] > 150


def test_strip_keeps_icc_profile_and_palette(tmp_path: Path) -> None:
    icc = (
        b"\x00" * 128  # a stand-in profile: Pillow stores the bytes as given
    )
    src = tmp_path / "palette.png"
    im = _photo().convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Rosa, room 412")
    im.save(src, "PNG", pnginfo=info, icc_profile=icc)
    dst = tmp_path / "palette-clean.png"
    strip_metadata(src, dst)
    with Image.open(dst) as out:
        assert out.mode == "P"
        assert out.info.get("icc_profile") == icc
        assert image_metadata_hits(dst) == []
        assert out.convert("RGB").getpixel((30, 10)) == im.convert("RGB").getpixel((30, 10))


def test_strip_to_other_format(tmp_path: Path) -> None:
    src = tmp_path / "photo.png"
    _photo().save(src, "PNG", exif=_gps_exif())
    dst = tmp_path / "photo.jpg"
    strip_metadata(src, dst)
    with Image.open(dst) as out:
        assert out.format == "JPEG"
    assert image_metadata_hits(dst) == []

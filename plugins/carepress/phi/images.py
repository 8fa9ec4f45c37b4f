"""Personal metadata in the images of hospital pages, and how to remove it.

A patient's photo can carry more than the face the consent covers: the GPS
position of the patient's home, the phone owner's name, the time the photo
was taken, a caption. ``image_metadata_hits`` names what is there;
``strip_metadata`` writes the pixels again without any of it.

Pillow reads the containers (EXIF, XMP, IPTC, PNG text chunks); which of
their fields are personal is decided here.
"""

from __future__ import annotations

from pathlib import Path

from PIL import ExifTags, Image, ImageOps, IptcImagePlugin, JpegImagePlugin

__all__ = ["image_metadata_hits", "strip_metadata"]

# EXIF fields that name, locate, date or single out a person or a camera.
# Tags of the first IFD (IFD0):
_IFD0_PERSONAL: dict[int, str] = {
    ExifTags.Base.Artist: "Artist",
    ExifTags.Base.ImageDescription: "ImageDescription",
    ExifTags.Base.XPAuthor: "XPAuthor",
    ExifTags.Base.XPComment: "XPComment",
    ExifTags.Base.XPSubject: "XPSubject",
    ExifTags.Base.XPKeywords: "XPKeywords",
}
# Tags of the Exif sub-IFD (0x8769):
_EXIF_IFD_PERSONAL: dict[int, str] = {
    ExifTags.Base.CameraOwnerName: "CameraOwnerName",
    ExifTags.Base.BodySerialNumber: "BodySerialNumber",
    ExifTags.Base.LensSerialNumber: "LensSerialNumber",
    ExifTags.Base.ImageUniqueID: "ImageUniqueID",
    ExifTags.Base.UserComment: "UserComment",
    # When a patient photo was taken dates the patient's care.
    ExifTags.Base.DateTimeOriginal: "DateTimeOriginal",
    ExifTags.Base.DateTimeDigitized: "DateTimeDigitized",
}

# PNG text chunk keys (lower case) that hold people, places or free text.
_PNG_PERSONAL_KEYS = frozenset(
    [
        "author", "artist", "comment", "description", "title", "source", "copyright",
        "creator", "owner", "location", "gps", "subject", "keywords", "disclaimer",
        "creation time", "raw profile type exif", "raw profile type iptc",
        "raw profile type xmp", "raw profile type app1",
    ]
)  # fmt: skip
_PNG_XMP_KEYS = frozenset(["xml:com.adobe.xmp", "xmp"])

_TIFF_XMP_TAG = 700
_TIFF_IPTC_TAG = 33723


def image_metadata_hits(path: str | Path) -> list[str]:
    """Names of the personal metadata in a JPEG, PNG, TIFF or WebP image.

    The names, in this order: ``exif:GPSInfo``, ``exif:<Tag>`` for each
    personal EXIF tag present (Artist, CameraOwnerName, BodySerialNumber,
    DateTimeOriginal, ...), ``xmp``, ``iptc``, ``png:<key>`` for each
    personal PNG text chunk, and ``comment`` for a JPEG comment.
    """
    hits: list[str] = []
    with Image.open(path) as im:
        im.load()
        exif = im.getexif()
        if ExifTags.IFD.GPSInfo in exif and (
            exif.get_ifd(ExifTags.IFD.GPSInfo) or exif[ExifTags.IFD.GPSInfo]
        ):
            hits.append("exif:GPSInfo")
        for tag, name in _IFD0_PERSONAL.items():
            if exif.get(tag):
                hits.append(f"exif:{name}")
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif) if ExifTags.IFD.Exif in exif else {}
        for tag, name in _EXIF_IFD_PERSONAL.items():
            if exif_ifd.get(tag):
                hits.append(f"exif:{name}")
        if _has_xmp(im):
            hits.append("xmp")
        if _has_iptc(im):
            hits.append("iptc")
        text = getattr(im, "text", None) or {}
        for key in sorted(text, key=str.lower):
            low = key.lower()
            if low in _PNG_PERSONAL_KEYS and str(text[key]).strip():
                hits.append(f"png:{key}")
        if im.info.get("comment"):
            hits.append("comment")
    return hits


def _has_xmp(im: Image.Image) -> bool:
    if im.info.get("xmp"):
        return True
    if any(k.lower() in _PNG_XMP_KEYS and v for k, v in im.info.items() if isinstance(k, str)):
        return True
    tags = getattr(im, "tag_v2", None)
    return bool(tags is not None and tags.get(_TIFF_XMP_TAG))


def _has_iptc(im: Image.Image) -> bool:
    try:
        if IptcImagePlugin.getiptcinfo(im):  # type: ignore[arg-type]
            return True
    except (SyntaxError, ValueError, TypeError, OSError):
        return True  # a malformed IPTC block is still a block to remove
    tags = getattr(im, "tag_v2", None)
    return bool(tags is not None and tags.get(_TIFF_IPTC_TAG))


def strip_metadata(src: str | Path, dst: str | Path) -> None:
    """Write ``src`` to ``dst`` as pixels only: no EXIF, XMP, IPTC or text.

    The EXIF orientation is applied to the pixels first, so the photo still
    stands the right way up without the tag. The ICC colour profile is kept
    (it describes the colours, not the person); a palette image keeps its
    palette and transparency. The format follows ``dst``'s extension, or
    ``src``'s format when the extension names none.
    """
    with Image.open(src) as original:
        fmt = original.format
        quantization = getattr(original, "quantization", None) if fmt == "JPEG" else None
        sampling = JpegImagePlugin.get_sampling(original) if fmt == "JPEG" else -1
        icc = original.info.get("icc_profile")
        transparency = original.info.get("transparency")
        upright = ImageOps.exif_transpose(original) or original
        upright.load()
        # A fresh image from the pixel data carries no metadata at all.
        clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
        if upright.mode in ("P", "PA"):
            palette = upright.getpalette()
            if palette is not None:
                clean.putpalette(palette)
    out_format = Image.registered_extensions().get(Path(dst).suffix.lower(), fmt)
    options: dict[str, object] = {}
    if icc:
        options["icc_profile"] = icc
    if transparency is not None and out_format in ("PNG", "GIF"):
        options["transparency"] = transparency
    if out_format == "JPEG":
        if quantization and sampling != -1:
            # Re-encode with the source's own tables: as close to lossless
            # as a JPEG re-save gets.
            options.update(qtables=quantization, subsampling=sampling)
        else:
            options["quality"] = 95
        if clean.mode not in ("RGB", "L", "CMYK"):
            clean = clean.convert("RGB")
    elif out_format == "WEBP":
        options.update(lossless=True)
    clean.save(dst, out_format, **options)

"""Key images: checked, re-encoded without metadata, stored under a random name."""

from __future__ import annotations

import os
import re
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from advocacy import create_app
from advocacy.content.images import MAX_PIXELS, MAX_SIDE, delete_image, store_image
from advocacy.errors import DomainError
from tests.conftest import base_config

LIMIT = 8_000_000
GPS_IFD = 0x8825
MAKE, MODEL, ORIENTATION, ARTIST = 0x010F, 0x0110, 0x0112, 0x013B
NAME = re.compile(r"^[A-Za-z0-9_-]{16}\.(jpg|png|webp)$")


@pytest.fixture(scope="module")
def plain_app(tmp_path_factory):
    """An app for gettext only: these tests never touch a database."""
    folder = tmp_path_factory.mktemp("images-app")
    return create_app(base_config(f"sqlite:///{folder}/unused.sqlite"))


@pytest.fixture(autouse=True)
def english(plain_app):
    with plain_app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def encode(image: Image.Image, kind: str, **options) -> bytes:
    buffer = BytesIO()
    image.save(buffer, format=kind, **options)
    return buffer.getvalue()


def camera_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "Canon"
    exif[MODEL] = "EOS 5D Mark IV"
    exif[ARTIST] = "Jane Photographer"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (52.0, 31.0, 12.0)
    gps[3], gps[4] = "E", (13.0, 24.0, 36.0)
    return exif


def jpeg_with_gps(size=(120, 80), orientation=None) -> bytes:
    data = encode(Image.new("RGB", size, (200, 30, 30)), "JPEG",
                  exif=camera_exif(orientation))
    # The fixture really carries what must be removed.
    with Image.open(BytesIO(data)) as check:
        exif = check.getexif()
        assert exif[MAKE] == "Canon"
        assert exif.get_ifd(GPS_IFD)[2] == (52.0, 31.0, 12.0)
    return data


def reopen(folder: Path, name: str) -> Image.Image:
    image = Image.open(folder / name)
    image.load()
    return image


class TestMetadataIsRemoved:
    def test_jpeg_loses_exif_and_gps(self, tmp_path):
        name = store_image(jpeg_with_gps(), tmp_path, LIMIT)
        assert name.endswith(".jpg")
        stored = reopen(tmp_path, name)
        assert stored.format == "JPEG"
        assert stored.size == (120, 80)
        assert dict(stored.getexif()) == {}
        assert stored.getexif().get_ifd(GPS_IFD) == {}
        assert "exif" not in stored.info
        raw = (tmp_path / name).read_bytes()
        for secret in (b"Canon", b"EOS 5D", b"Jane Photographer", b"Exif\x00\x00"):
            assert secret not in raw

    def test_png_loses_text_chunks_and_exif(self, tmp_path):
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "Jane Photographer")
        info.add_text("Comment", "taken at Musterstrasse 1, Berlin")
        info.add_itxt("Description", "secret internal project", lang="en")
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        data = encode(Image.new("RGBA", (64, 48), (0, 128, 255, 200)), "PNG", pnginfo=info,
                      exif=camera_exif(), icc_profile=icc)
        with Image.open(BytesIO(data)) as check:
            assert check.text["Author"] == "Jane Photographer"
            assert check.getexif()[MAKE] == "Canon"
            assert check.info["icc_profile"] == icc

        name = store_image(data, tmp_path, LIMIT)
        assert name.endswith(".png")
        stored = reopen(tmp_path, name)
        assert stored.format == "PNG"
        assert (stored.size, stored.mode) == ((64, 48), "RGBA")
        assert stored.text == {}
        assert dict(stored.getexif()) == {}
        assert "icc_profile" not in stored.info
        raw = (tmp_path / name).read_bytes()
        for secret in (b"Jane Photographer", b"Musterstrasse", b"secret internal", b"Canon",
                       b"tEXt", b"iTXt", b"eXIf", b"iCCP"):
            assert secret not in raw

    def test_webp_is_kept_as_webp_without_exif(self, tmp_path):
        data = encode(Image.new("RGB", (40, 30), "green"), "WEBP", exif=camera_exif())
        name = store_image(data, tmp_path, LIMIT)
        assert name.endswith(".webp")
        stored = reopen(tmp_path, name)
        assert (stored.format, stored.size) == ("WEBP", (40, 30))
        assert dict(stored.getexif()) == {}
        assert b"Canon" not in (tmp_path / name).read_bytes()

    def test_orientation_is_applied_to_the_pixels(self, tmp_path):
        data = jpeg_with_gps(size=(100, 50), orientation=6)
        stored = reopen(tmp_path, store_image(data, tmp_path, LIMIT))
        assert stored.size == (50, 100)
        assert ORIENTATION not in stored.getexif()  # not rotated a second time by viewers

    def test_without_orientation_the_size_stays(self, tmp_path):
        stored = reopen(tmp_path, store_image(jpeg_with_gps(size=(100, 50)), tmp_path, LIMIT))
        assert stored.size == (100, 50)

    def test_cmyk_jpeg_is_stored_as_rgb(self, tmp_path):
        data = encode(Image.new("CMYK", (30, 20), (0, 255, 255, 0)), "JPEG")
        stored = reopen(tmp_path, store_image(data, tmp_path, LIMIT))
        assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (30, 20))


class TestRefused:
    def test_too_many_bytes(self, tmp_path):
        with pytest.raises(DomainError) as refused:
            store_image(b"\xff" * 2_000_001, tmp_path, max_bytes=2_000_000)
        assert refused.value.message == "The image is larger than 2 MB."
        assert not tmp_path.exists() or list(tmp_path.iterdir()) == []

    def test_exactly_the_limit_is_accepted(self, tmp_path):
        data = encode(Image.new("RGB", (10, 10), "blue"), "PNG")
        assert NAME.match(store_image(data, tmp_path, max_bytes=len(data)))
        with pytest.raises(DomainError):
            store_image(data, tmp_path, max_bytes=len(data) - 1)

    def test_gif_is_refused(self, tmp_path):
        data = encode(Image.new("P", (10, 10)), "GIF")
        with pytest.raises(DomainError) as refused:
            store_image(data, tmp_path, LIMIT)
        assert refused.value.message == "Upload a JPEG, PNG or WebP image."

    def test_bmp_is_refused(self, tmp_path):
        data = encode(Image.new("RGB", (10, 10)), "BMP")
        with pytest.raises(DomainError) as refused:
            store_image(data, tmp_path, LIMIT)
        assert refused.value.message == "Upload a JPEG, PNG or WebP image."

    @pytest.mark.parametrize("data", [os.urandom(4096), b"", b"<svg xmlns='x'></svg>",
                                      b"%PDF-1.4\n"])
    def test_unreadable_bytes(self, tmp_path, data):
        with pytest.raises(DomainError) as refused:
            store_image(data, tmp_path, LIMIT)
        assert refused.value.message == "This file is not an image we can read."

    def test_truncated_jpeg(self, tmp_path):
        data = jpeg_with_gps(size=(400, 300))
        with pytest.raises(DomainError) as refused:
            store_image(data[: len(data) // 2], tmp_path, LIMIT)
        assert refused.value.message == "This file is not an image we can read."

    def test_too_many_pixels(self, tmp_path):
        assert MAX_PIXELS < 9000 * 6000
        data = encode(Image.new("1", (9000, 6000)), "PNG")
        assert len(data) < 100_000  # small on disk, huge once decoded
        with pytest.raises(DomainError) as refused:
            store_image(data, tmp_path, LIMIT)
        assert refused.value.message == "The image has too many pixels."
        assert not tmp_path.exists() or list(tmp_path.iterdir()) == []


class TestStorage:
    def test_large_images_are_scaled_down_keeping_the_ratio(self, tmp_path):
        data = encode(Image.new("RGB", (MAX_SIDE * 2, MAX_SIDE), "white"), "PNG")
        stored = reopen(tmp_path, store_image(data, tmp_path, LIMIT))
        assert stored.size == (MAX_SIDE, MAX_SIDE // 2)

    def test_tall_images_are_scaled_by_their_height(self, tmp_path):
        data = encode(Image.new("RGB", (1000, MAX_SIDE + 600), "white"), "JPEG")
        stored = reopen(tmp_path, store_image(data, tmp_path, LIMIT))
        assert stored.size == (800, MAX_SIDE)

    def test_images_at_the_limit_stay(self, tmp_path):
        data = encode(Image.new("RGB", (MAX_SIDE, 10), "white"), "PNG")
        assert reopen(tmp_path, store_image(data, tmp_path, LIMIT)).size == (MAX_SIDE, 10)

    def test_names_are_random_with_the_right_extension(self, tmp_path):
        jpeg = jpeg_with_gps()
        png = encode(Image.new("RGB", (5, 5)), "PNG")
        names = [store_image(jpeg, tmp_path, LIMIT) for _ in range(3)]
        names.append(store_image(png, tmp_path, LIMIT))
        assert len(set(names)) == 4
        assert all(NAME.match(name) for name in names), names
        assert [n.rsplit(".", 1)[1] for n in names] == ["jpg", "jpg", "jpg", "png"]
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)

    def test_folder_is_created(self, tmp_path):
        folder = tmp_path / "deep" / "uploads"
        name = store_image(encode(Image.new("RGB", (5, 5)), "PNG"), folder, LIMIT)
        assert (folder / name).is_file()


class TestDelete:
    def test_deletes_the_named_file(self, tmp_path):
        name = store_image(encode(Image.new("RGB", (5, 5)), "PNG"), tmp_path, LIMIT)
        delete_image(tmp_path, name)
        assert not (tmp_path / name).exists()

    def test_missing_file_or_no_name_is_fine(self, tmp_path):
        (tmp_path / "keep.png").write_bytes(b"x")
        delete_image(tmp_path, "gone.png")
        delete_image(tmp_path, None)
        delete_image(tmp_path, "")
        assert (tmp_path / "keep.png").exists()

    @pytest.mark.parametrize("name", ["../victim.txt", "sub/victim.txt",
                                      ".hidden", "..", ".htaccess"])
    def test_paths_and_dot_files_are_ignored(self, tmp_path, name):
        uploads = tmp_path / "uploads"
        (uploads / "sub").mkdir(parents=True)
        victims = [tmp_path / "victim.txt", uploads / "sub" / "victim.txt",
                   uploads / ".hidden", uploads / ".htaccess"]
        for victim in victims:
            victim.write_text("keep me")
        delete_image(uploads, name)
        assert all(victim.read_text() == "keep me" for victim in victims)

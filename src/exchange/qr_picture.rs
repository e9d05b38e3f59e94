//! A kiosk's pairing QR code read from a photo or screenshot of it (the desk's *Pair this kiosk*
//! with a picture's path, `desk pair --qr-image`): bounded before it is decoded, searched as it
//! is, then — a photo in uneven light — made black and white against the grey around each pixel,
//! and — a small picture whose squares are two or three pixels wide, such as a screenshot a chat
//! app shrank — enlarged, in black and white.

use std::path::Path;

use image::GrayImage;
use zeroize::Zeroizing;

use super::files::{self, Expected};
use super::{ExchangeError, file_name};

/// The widest or tallest picture of a QR code read (a 48-megapixel photo is 8,000 wide).
const QR_PICTURE_MAX_SIDE: u32 = 8192;
/// The most memory decoding such a picture may take.
const QR_PICTURE_MAX_DECODED: u64 = 256 * 1024 * 1024;
/// Above this many pixels the picture is searched at half size; nor is a picture enlarged beyond
/// it.
const QR_PICTURE_FULL_PIXELS: u64 = 16_000_000;

/// Why a picture gave no code, in words.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UnreadablePicture(pub String);

/// The QR code's text read from a photo or screenshot of it.
pub fn decode_qr_image(path: &Path) -> Result<Zeroizing<String>, ExchangeError> {
    let bytes = files::read_capped(path, Expected::QrPicture)?;
    decode_qr_picture(&bytes).map_err(|UnreadablePicture(detail)| {
        ExchangeError::UnreadablePicture {
            file: file_name(path),
            detail,
        }
    })
}

/// The QR code's text read from a picture's bytes (PNG or JPEG), whatever they hold.
pub fn decode_qr_picture(bytes: &[u8]) -> Result<Zeroizing<String>, UnreadablePicture> {
    let unreadable = UnreadablePicture;
    // A small file can claim a huge picture (a few hundred KB of PNG decoding to gigabytes):
    // its size is bounded before it is decoded.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(QR_PICTURE_MAX_SIDE);
    limits.max_image_height = Some(QR_PICTURE_MAX_SIDE);
    limits.max_alloc = Some(QR_PICTURE_MAX_DECODED);
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| unreadable(format!("not a picture this desk can read ({e})")))?;
    reader.limits(limits);
    let mut image = reader
        .decode()
        .map_err(|e| unreadable(format!("not a picture this desk can read ({e})")))?
        .to_luma8();
    // A photo of many megapixels is searched at half size: the code's squares stay several
    // pixels wide, and the search's own memory stays bounded.
    if pixels(&image) > QR_PICTURE_FULL_PIXELS {
        image = halved(&image);
    }
    // The decoder splits black from white at one grey for the whole picture, which a photo lit
    // from one side defeats: searched again with each pixel set against the grey around it.
    // It misses codes whose squares are a fractional two or three pixels wide, their edges
    // blurred by the shrinking (a 1280×800 screenshot at half size: about 2.5): enlarged three
    // times (or twice, within the bound) and made black and white, they are read. Each search
    // is of at most as many pixels as the largest first one, so a picture that holds no code
    // costs at most three times what one search does.
    let factor = [3, 2]
        .into_iter()
        .find(|k| pixels(&image) * u64::from(k * k) <= QR_PICTURE_FULL_PIXELS);
    let found = search(&image)
        .or_else(|| search(&locally_black_and_white(&image)))
        .or_else(|| factor.and_then(|k| search(&enlarged_in_black_and_white(&image, k))));
    found.ok_or_else(|| unreadable("no readable QR code in the picture".into()))
}

fn pixels(image: &GrayImage) -> u64 {
    u64::from(image.width()) * u64::from(image.height())
}

/// The first QR code in the picture that decodes to text.
///
/// The decoder (quircs, a port of quirc) keeps at most 32 finder-pattern candidates and 8 codes
/// a picture, so its work grows with the pixels alone: a picture of noise or of many finder
/// patterns is searched as fast as a photo. rqrr, used before, copied the whole picture for each
/// group of three candidates it tried: about six minutes on 16 MP of noise (399 s searched
/// alone, 368 s through `desk pair`), 7.6 s on a 2,000-pixel square of finder patterns (quircs:
/// 0.25 s and 11 ms, release build, this machine).
///
/// A panic inside the decoder (a picture made to confuse it) is a picture without a code, not
/// the end of the desk. The text is wiped when dropped; the decoder's own buffers (the picture
/// in black and white, the code's cells and bytes) are not, as rqrr's were not.
fn search(image: &GrayImage) -> Option<Zeroizing<String>> {
    let (width, height) = image.dimensions();
    let decode = || {
        let mut decoder = quircs::Quirc::default();
        decoder
            .identify(width as usize, height as usize, image.as_raw())
            .filter_map(Result::ok)
            .find_map(|code| {
                let payload = Zeroizing::new(code.decode().ok()?.payload);
                std::str::from_utf8(&payload)
                    .ok()
                    .map(|text| Zeroizing::new(text.to_owned()))
            })
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode))
        .ok()
        .flatten()
}

/// Each pixel black where it is darker than 95% of the mean grey of the square around it (a
/// side of an eighth of the picture's longer side), white elsewhere: the split a photo in
/// uneven light needs, where the decoder's own is one grey for the whole picture. Running sums
/// over columns and then along each row: one pass, one sum per column held beside the result.
fn locally_black_and_white(image: &GrayImage) -> GrayImage {
    let (w, h) = image.dimensions();
    if w == 0 || h == 0 {
        return image.clone();
    }
    let r = (w.max(h) / 16).max(4);
    let grey = |x: u32, y: u32| u64::from(image.get_pixel(x, y).0[0]);
    // Each column's sum over the rows within `r` of the current one.
    let mut columns = vec![0_u64; w as usize];
    for y in 0..=r.min(h - 1) {
        for (x, sum) in (0..w).zip(columns.iter_mut()) {
            *sum += grey(x, y);
        }
    }
    let mut split = GrayImage::new(w, h);
    for y in 0..h {
        let rows = u64::from((y + r).min(h - 1) - y.saturating_sub(r) + 1);
        let mut around: u64 = columns[..=r.min(w - 1) as usize].iter().sum();
        for x in 0..w {
            let count = u64::from((x + r).min(w - 1) - x.saturating_sub(r) + 1) * rows;
            let dark = grey(x, y) * count * 100 < around * 95;
            split.put_pixel(x, y, image::Luma([if dark { 0 } else { 255 }]));
            if x + r + 1 < w {
                around += columns[(x + r + 1) as usize];
            }
            if x >= r {
                around -= columns[(x - r) as usize];
            }
        }
        if y + r + 1 < h {
            for (x, sum) in (0..w).zip(columns.iter_mut()) {
                *sum += grey(x, y + r + 1);
            }
        }
        if y >= r {
            for (x, sum) in (0..w).zip(columns.iter_mut()) {
                *sum -= grey(x, y - r);
            }
        }
    }
    split
}

/// Each 2×2 block averaged, in place of a filter that works in floating point (a 36-megapixel
/// photo took 339 MB that way, 85 MB searched at full size).
fn halved(image: &GrayImage) -> GrayImage {
    GrayImage::from_fn(image.width() / 2, image.height() / 2, |x, y| {
        let at = |dx, dy| u16::from(image.get_pixel(2 * x + dx, 2 * y + dy).0[0]);
        image::Luma([((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4) as u8])
    })
}

/// The picture `k` times as wide and tall, each pixel interpolated between its four nearest
/// (bilinear, pixel centres aligned, in integers: no floating-point copy of the picture) and
/// then made black or white at the grey halfway between the picture's darkest and lightest.
/// Only the result is held: at most [`QR_PICTURE_FULL_PIXELS`] bytes.
fn enlarged_in_black_and_white(image: &GrayImage, k: u32) -> GrayImage {
    let (w, h) = image.dimensions();
    let (darkest, lightest) = image.pixels().fold((u8::MAX, u8::MIN), |(lo, hi), p| {
        (lo.min(p.0[0]), hi.max(p.0[0]))
    });
    let middle = (i64::from(darkest) + i64::from(lightest) + 1) / 2;
    // Positions in the source in steps of 1/(2k) of a pixel: the centre of target pixel `v` is
    // at (v + ½)/k − ½, i.e. (2v + 1 − k) steps.
    let steps = 2 * i64::from(k);
    let split = |v: u32, len: u32| {
        let at = 2 * i64::from(v) + 1 - i64::from(k);
        let (whole, part) = (at.div_euclid(steps), at.rem_euclid(steps));
        let last = i64::from(len) - 1;
        let clamp = |i: i64| i.clamp(0, last) as u32;
        (clamp(whole), clamp(whole + 1), part)
    };
    GrayImage::from_fn(w * k, h * k, |x, y| {
        let (x0, x1, fx) = split(x, w);
        let (y0, y1, fy) = split(y, h);
        let p = |x, y| i64::from(image.get_pixel(x, y).0[0]);
        let top = p(x0, y0) * (steps - fx) + p(x1, y0) * fx;
        let bottom = p(x0, y1) * (steps - fx) + p(x1, y1) * fx;
        let level = top * (steps - fy) + bottom * fy;
        image::Luma([if level < middle * steps * steps {
            0
        } else {
            255
        }])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pairing code as long as a real one.
    const OFFER: &str =
        "IKP1:G2D264CPXH91VPZ00145VZHGFM:FR0D3547SM3JTSFEQZCZ-and-the-rest-of-an-offer-0123456789";

    /// `picture` saved as a PNG file named `name` in `dir`, and read back as the desk reads it.
    fn read_back(dir: &Path, name: &str, picture: &GrayImage) -> Option<String> {
        let path = dir.join(name);
        picture.save(&path).unwrap();
        decode_qr_image(&path).map(|text| text.to_string()).ok()
    }

    /// A `side`×`side` picture with a QR code of `text` drawn `scale` pixels a square, dark
    /// grey on light grey.
    fn drawn(text: &str, side: u32, scale: u32) -> GrayImage {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let width = code.width() as u32;
        let colors = code.to_colors();
        let origin = (side - width * scale) / 2;
        GrayImage::from_fn(side, side, |x, y| {
            let inside = |v: u32| v >= origin && v < origin + width * scale;
            let dark = inside(x) && inside(y) && {
                let (mx, my) = ((x - origin) / scale, (y - origin) / scale);
                colors[(my * width + mx) as usize] == qrcode::Color::Dark
            };
            image::Luma([if dark { 20 } else { 240 }])
        })
    }

    #[test]
    fn a_photo_of_many_megapixels_is_read_at_half_size_and_an_oversize_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let text = "IKP1:a-pairing-code-as-long-as-a-real-one-0123456789abcdefghijklmnopqrstuvwxyz";
        let photo = dir.path().join("photo.png");
        drawn(text, 4500, 24).save(&photo).unwrap();
        assert_eq!(decode_qr_image(&photo).unwrap().as_str(), text);
        // Wider than any camera's picture: refused before it is decoded.
        let wide = dir.path().join("wide.png");
        GrayImage::new(QR_PICTURE_MAX_SIDE + 1, 8)
            .save(&wide)
            .unwrap();
        let refused = decode_qr_image(&wide).unwrap_err().to_string();
        assert!(
            refused.contains("not a picture this desk can read"),
            "{refused}"
        );
        assert!(
            refused.ends_with("no pairing code was read from it"),
            "{refused}"
        );
    }

    /// A screenshot shrunk (by a chat app, or taken at half size): squares of a fractional two or
    /// three pixels, their edges blurred. Measured for this code shrunk to every fifth side from
    /// 225 to 600 pixels (1.5 to 4 pixels a square): 47 of the 76 read as they are, 48 split
    /// against the grey around each pixel, 71 with the enlarged search (rqrr, before: 42 and 71
    /// with its own split and the enlarged search). These five are among those read only by it.
    #[test]
    fn a_shrunk_screenshot_of_the_code_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let sharp = drawn(OFFER, 1200, 8);
        for side in [225, 290, 370, 400, 575] {
            let shrunk =
                image::imageops::resize(&sharp, side, side, image::imageops::FilterType::Triangle);
            // What the enlarged search is for: the picture as it is yields nothing.
            assert!(search(&shrunk).is_none(), "{side}: read as it is");
            assert!(
                search(&locally_black_and_white(&shrunk)).is_none(),
                "{side}: read split locally"
            );
            assert_eq!(
                read_back(dir.path(), &format!("shrunk-{side}.png"), &shrunk).as_deref(),
                Some(OFFER),
                "{side} pixels wide"
            );
        }
    }

    /// A photo lit from one side, or by a lamp: no one grey splits the code's dark squares from
    /// its light ones, and the decoder's own split reads nothing; against the grey around each
    /// pixel it is read.
    #[test]
    fn a_code_in_uneven_light_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let sharp = drawn(OFFER, 1200, 8);
        let lit = |light: &dyn Fn(u32, u32) -> u32| {
            GrayImage::from_fn(1200, 1200, |x, y| {
                let grey = u32::from(sharp.get_pixel(x, y).0[0]);
                image::Luma([(grey * light(x, y) / 1000) as u8])
            })
        };
        // From dim on the left (15%) to full light on the right.
        let side_light = lit(&|x, _| 150 + 850 * x / 1199);
        // A lamp near the top right corner, falling to 20% across the picture.
        let lamp = lit(&|x, y| {
            let (dx, dy) = (f64::from(x) - 900.0, f64::from(y) - 300.0);
            let distance = ((dx * dx + dy * dy).sqrt() / 900.0).min(1.0);
            (1000.0 - 800.0 * distance) as u32
        });
        for (name, picture) in [("side-light.png", side_light), ("lamp.png", lamp)] {
            assert!(search(&picture).is_none(), "{name}: read as it is");
            assert_eq!(
                read_back(dir.path(), name, &picture).as_deref(),
                Some(OFFER),
                "{name}"
            );
        }
    }

    /// Pictures that hold no code but many things that look like a corner of one: refused
    /// with the same words as any picture without a code. (rqrr took 7.6 s on the second at
    /// this size in a release build, and minutes at 16 MP; no time is asserted here.)
    #[test]
    fn noise_and_a_wall_of_finder_patterns_are_refused_in_words() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let noise = GrayImage::from_fn(1000, 1000, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            image::Luma([(state >> 56) as u8])
        });
        // Finder patterns (7 × 7 squares: a dark ring, a light ring, a dark centre) every 80
        // pixels: 625 of them.
        let finders = GrayImage::from_fn(2000, 2000, |x, y| {
            let (cx, cy) = ((x % 80) / 8, (y % 80) / 8);
            let ring = cx
                .min(cy)
                .min(6_u32.saturating_sub(cx))
                .min(6_u32.saturating_sub(cy));
            let dark = cx < 7 && cy < 7 && ring != 1;
            image::Luma([if dark { 20 } else { 240 }])
        });
        for (name, picture) in [("noise.png", noise), ("finders.png", finders)] {
            let path = dir.path().join(name);
            picture.save(&path).unwrap();
            let refused = decode_qr_image(&path).unwrap_err().to_string();
            assert!(
                refused.contains("no readable QR code in the picture"),
                "{name}: {refused}"
            );
        }
    }

    /// A dim, low-contrast picture is split at its own middle grey, not at the scale's.
    #[test]
    fn a_dim_picture_is_split_at_its_own_middle_grey() {
        let dim = GrayImage::from_fn(2, 1, |x, _| image::Luma([if x == 0 { 20 } else { 90 }]));
        let big = enlarged_in_black_and_white(&dim, 2);
        let row: Vec<u8> = (0..4).map(|x| big.get_pixel(x, 0).0[0]).collect();
        assert_eq!(row, [0, 0, 255, 255]);
    }

    #[test]
    fn enlarging_keeps_the_picture_in_place() {
        // A dark left half and a light right half, enlarged three times: the edge stays in the
        // middle, the corners keep their colour.
        let picture = GrayImage::from_fn(4, 2, |x, _| image::Luma([if x < 2 { 10 } else { 250 }]));
        let big = enlarged_in_black_and_white(&picture, 3);
        assert_eq!(big.dimensions(), (12, 6));
        for y in 0..6 {
            let row: Vec<u8> = (0..12).map(|x| big.get_pixel(x, y).0[0]).collect();
            assert_eq!(
                row,
                [0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255],
                "row {y}"
            );
        }
    }
}

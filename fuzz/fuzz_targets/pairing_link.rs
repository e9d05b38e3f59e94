//! Past the MAC: the kiosk reading a desk's pairing answer whose *content* is the fuzz input and
//! whose MAC holds (sealed with the secret of the offer the kiosk just made). So the fuzzer
//! drives what runs only after authentication: the expiry check, storing the desk's ids and
//! keys in a real kiosk store, the comparison code, confirming, and exporting a bundle sealed
//! to whatever keys the answer carried.
//!
//! Input (see `intake_kiosk_fuzz::script`):
//! ```text
//! desk ID|real            the desk id (default and `real`: a real desk's, with its keys)
//! kem HEX64|real          the desk's X25519 key (default: the real desk's)
//! sign HEX64|real         the desk's Ed25519 key (default: the real desk's)
//! created UNIX_SECONDS    the answer's own time
//! at SECONDS              when the kiosk reads it, after the offer was made (default 60;
//!                         within ±10⁹ s, so the kiosk's clock stays a date it can write)
//! ```
//! Checked on every run, besides "never panics": an accepted answer links exactly the desk it
//! carried; a refused one changes no link; a bundle exported to the real desk opens there.
#![no_main]

use std::cell::RefCell;
use std::path::PathBuf;

use intake_kiosk::exchange::kiosk_side;
use intake_kiosk::sync::{DeskKeys, PairingAnswer, PairingOffer, ParsedBundle, random_id};
use intake_kiosk_fuzz::places::{Place, empty, submission, t0, t0_plus, verbose};
use intake_kiosk_fuzz::script;
use libfuzzer_sys::fuzz_target;

struct Kiosk {
    place: Place,
    desk: DeskKeys,
    exchange: PathBuf,
}

impl Kiosk {
    /// A kiosk with one saved submission (so an export has something to seal).
    fn new() -> Kiosk {
        let mut place = Place::set_up();
        place
            .store
            .save_submission(&place.manager, submission("Ada", "Lovelace"), t0())
            .expect("saving a submission");
        Kiosk {
            exchange: place.folder("exchange"),
            desk: DeskKeys::generate(&random_id().expect("an id")).expect("desk keys"),
            place,
        }
    }
}

fn hex32(text: Option<&str>) -> Option<[u8; 32]> {
    let text = text?;
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

fn run(kiosk: &mut Kiosk, data: &[u8]) {
    kiosk.place.runs += 1;
    let (store, manager) = (&kiosk.place.store, &kiosk.place.manager);
    let (code, _) = kiosk_side::start_pairing(store, manager, t0()).expect("a pairing offer");
    let offer = PairingOffer::parse(&code).expect("our own offer parses");
    let real = kiosk.desk.public();
    let mut answer = PairingAnswer::for_offer(&offer, &real, t0().timestamp());
    let mut at = 60i64;
    for line in script::lines(data, &[]) {
        match (line.keyword, line.text(0)) {
            (b"desk", Some(id)) if id != "real" => answer.desk_id = id.to_owned(),
            (b"kem", value) => answer.desk_kem_public = hex32(value).unwrap_or(real.kem_public),
            (b"sign", value) => answer.desk_sign_public = hex32(value).unwrap_or(real.sign_public),
            (b"created", _) => answer.created_at = line.number(0).unwrap_or(0),
            (b"at", _) => at = line.number(0).unwrap_or(0),
            _ => {}
        }
    }
    let Some(now) = t0_plus(at.clamp(-1_000_000_000, 1_000_000_000)) else {
        return;
    };
    let Ok(bytes) = answer.seal(&offer) else {
        return;
    };
    std::fs::write(
        kiosk.exchange.join(format!("pair-{}.ikpa", offer.kiosk_id)),
        bytes,
    )
    .expect("writing the answer");
    let before = store.desk_link().expect("the desk link");
    let result = kiosk_side::read_pairing_answer(store, manager, &kiosk.exchange, now);
    if verbose() {
        eprintln!("answer: {:?}", result.as_ref().map(|link| &link.desk_id));
    }
    match result {
        Ok(link) => {
            assert_eq!(link.desk_id, answer.desk_id, "the desk the answer carried");
            assert_eq!(link.kem_public, answer.desk_kem_public, "its KEM key");
            assert_eq!(link.sign_public, answer.desk_sign_public, "its signing key");
            kiosk_side::confirm_pairing(store, manager, now).expect("confirming");
            let exported = kiosk_side::export(store, manager, &kiosk.exchange, now, &mut |_, _| {});
            let to_real = answer.desk_public() == real;
            if verbose() {
                eprintln!("export (to the real desk: {to_real}): {exported:?}");
            }
            match exported {
                Ok(Some(exported)) if to_real => {
                    let bytes = std::fs::read(&exported.file).expect("reading the bundle");
                    let parsed = ParsedBundle::parse(&bytes).expect("the bundle parses");
                    let verified = parsed
                        .verify(&offer.kiosk_sign_public)
                        .expect("the bundle verifies");
                    let opened = verified.open(&kiosk.desk).expect("the desk opens it");
                    for i in 0..opened.len() {
                        opened.open_entry(i).expect("each entry opens");
                    }
                }
                Ok(_) => {}
                Err(error) => assert!(!to_real, "export to the real desk failed: {error}"),
            }
        }
        Err(_) => assert_eq!(
            before,
            store.desk_link().expect("the desk link"),
            "a refused answer changes no link"
        ),
    }
    empty(&kiosk.exchange);
}

thread_local! {
    static KIOSK: RefCell<Option<Kiosk>> = const { RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    KIOSK.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.as_ref().is_none_or(|k| k.place.worn_out()) {
            *cell = None;
            *cell = Some(Kiosk::new());
        }
        if let Some(kiosk) = cell.as_mut() {
            run(kiosk, data);
        }
    });
});

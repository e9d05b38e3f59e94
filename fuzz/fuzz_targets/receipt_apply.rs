//! Past the signature: the kiosk reading receipts whose *content* is the fuzz input and whose
//! signature holds (signed with the key of the desk it names, or on request an impostor's). So the
//! fuzzer drives what runs only after verification: the desk and kiosk ids, the bundle number,
//! and the purge of the named submissions from a real kiosk store that has exported some.
//!
//! Input (see `intake_kiosk_fuzz::script`):
//! ```text
//! receipt                 starts another receipt (the first needs no line)
//! desk ID|paired          the desk the receipt names (default: the paired desk); it signs
//! signer paired|impostor  for the paired desk: its key, or another key under its id
//! kiosk ID|self           the kiosk it names (default: this kiosk)
//! seq N                   the bundle it acknowledges
//! id ID                   a submission it names; `@0`…`@9` stand for the kiosk's exported ones
//! received RFC3339        when the desk received it
//! ```
//! Checked on every run, besides "never panics": a refused receipt changes nothing; an accepted
//! one purges at most the exported submissions it names.
#![no_main]

use std::cell::RefCell;
use std::path::PathBuf;

use intake_kiosk::exchange::kiosk_side;
use intake_kiosk::store::SyncStatus;
use intake_kiosk::sync::{DeskKeys, PairingAnswer, PairingOffer, Receipt, random_id};
use intake_kiosk_fuzz::places::{Place, empty, submission, t0, verbose};
use intake_kiosk_fuzz::script;
use libfuzzer_sys::fuzz_target;

/// How many exported, unacknowledged submissions the kiosk keeps for receipts to name.
const EXPORTED: usize = 3;

struct Kiosk {
    place: Place,
    kiosk_id: String,
    desk: DeskKeys,
    /// Other keys under the paired desk's id.
    impostor: DeskKeys,
    exchange: PathBuf,
    /// Submission ids exported and not yet purged.
    exported: Vec<String>,
}

impl Kiosk {
    /// A kiosk paired with a desk (the answer made with the desk's keys directly) and confirmed.
    fn new() -> Kiosk {
        let place = Place::set_up();
        let exchange = place.folder("exchange");
        let (store, manager) = (&place.store, &place.manager);
        let (code, _) = kiosk_side::start_pairing(store, manager, t0()).expect("a pairing offer");
        let offer = PairingOffer::parse(&code).expect("our own offer parses");
        let desk = DeskKeys::generate(&random_id().expect("an id")).expect("desk keys");
        let answer = PairingAnswer::for_offer(&offer, &desk.public(), t0().timestamp())
            .seal(&offer)
            .expect("an answer");
        std::fs::write(
            exchange.join(format!("pair-{}.ikpa", offer.kiosk_id)),
            answer,
        )
        .expect("writing the answer");
        kiosk_side::read_pairing_answer(store, manager, &exchange, t0()).expect("paired");
        kiosk_side::confirm_pairing(store, manager, t0()).expect("confirmed");
        empty(&exchange);
        let mut kiosk = Kiosk {
            kiosk_id: offer.kiosk_id.clone(),
            impostor: DeskKeys::generate(desk.desk_id()).expect("desk keys"),
            place,
            desk,
            exchange,
            exported: Vec::new(),
        };
        kiosk.top_up();
        kiosk
    }

    /// Saves and exports submissions until [`EXPORTED`] are waiting for a receipt.
    fn top_up(&mut self) {
        if self.exported.len() >= EXPORTED {
            return;
        }
        while self.exported.len() < EXPORTED {
            let n = self.exported.len();
            let id = self
                .place
                .store
                .save_submission(
                    &self.place.manager,
                    submission("Ada", &format!("Patient{n}")),
                    t0(),
                )
                .expect("saving a submission");
            self.exported.push(id);
        }
        kiosk_side::export(
            &self.place.store,
            &self.place.manager,
            &self.exchange,
            t0(),
            &mut |_, _| {},
        )
        .expect("export")
        .expect("something to export");
        empty(&self.exchange);
    }

    fn status(&self) -> SyncStatus {
        self.place.store.sync_status().expect("sync status")
    }
}

/// The receipts the input asks for, each with whether the impostor signs it.
fn receipts(kiosk: &Kiosk, input: &[u8]) -> Vec<(Receipt, bool)> {
    let blank = || Receipt {
        desk_id: kiosk.desk.desk_id().to_owned(),
        kiosk_id: kiosk.kiosk_id.clone(),
        bundle_seq: 1,
        submission_ids: Vec::new(),
        received_at: "2026-11-23T09:00:00Z".into(),
    };
    let mut out: Vec<(Receipt, bool)> = vec![(blank(), false)];
    for line in script::lines(input, &[]) {
        if line.is("receipt") {
            out.push((blank(), false));
            continue;
        }
        let Some((receipt, impostor)) = out.last_mut() else {
            continue;
        };
        match line.keyword {
            b"desk" => match line.text(0) {
                Some("paired") | None => {}
                Some(id) => receipt.desk_id = id.to_owned(),
            },
            b"signer" => *impostor = line.text(0) == Some("impostor"),
            b"kiosk" => match line.text(0) {
                Some("self") | None => {}
                Some(id) => receipt.kiosk_id = id.to_owned(),
            },
            b"seq" => receipt.bundle_seq = line.number(0).unwrap_or(0),
            b"id" => {
                let id = line.text(0).unwrap_or_default();
                let named = id
                    .strip_prefix('@')
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| kiosk.exported.get(n % EXPORTED.max(1)));
                receipt
                    .submission_ids
                    .push(named.cloned().unwrap_or_else(|| id.to_owned()));
            }
            b"received" => receipt.received_at = line.rest().unwrap_or_default(),
            _ => {}
        }
    }
    out.truncate(4);
    out
}

fn run(kiosk: &mut Kiosk, data: &[u8]) {
    kiosk.place.runs += 1;
    for (receipt, impostor) in receipts(kiosk, data) {
        // `sign` refuses to sign for another desk's id: a receipt naming a desk other than the
        // paired one is signed by (fresh keys of) that desk, so the kiosk's checks refuse it.
        let foreign;
        let signer = if receipt.desk_id != kiosk.desk.desk_id() {
            match DeskKeys::generate(&receipt.desk_id) {
                Ok(keys) => {
                    foreign = keys;
                    &foreign
                }
                Err(_) => continue,
            }
        } else if impostor {
            &kiosk.impostor
        } else {
            &kiosk.desk
        };
        let bytes = match receipt.sign(signer) {
            Ok(bytes) => bytes,
            Err(error) => {
                if verbose() {
                    eprintln!("receipt not signed: {error}");
                }
                continue;
            }
        };
        let name = format!("receipt-{}-{:08}.ikr", kiosk.kiosk_id, receipt.bundle_seq);
        std::fs::write(kiosk.exchange.join(name), bytes).expect("writing the receipt");
        let before = kiosk.status();
        let (store, manager) = (&kiosk.place.store, &kiosk.place.manager);
        let result = kiosk_side::read_receipts(store, manager, &kiosk.exchange, t0());
        if verbose() {
            eprintln!("receipt for bundle {}: {result:?}", receipt.bundle_seq);
        }
        match result {
            Ok(done) => {
                let named: Vec<&String> = kiosk
                    .exported
                    .iter()
                    .filter(|id| receipt.submission_ids.contains(id))
                    .collect();
                assert!(
                    done.purged <= named.len(),
                    "purged {} but named {} exported submissions",
                    done.purged,
                    named.len()
                );
                let after = kiosk.status();
                assert_eq!(
                    before.exported - after.exported,
                    i64::try_from(done.purged).expect("small"),
                    "the purged submissions leave the exported count"
                );
                kiosk
                    .exported
                    .retain(|id| !receipt.submission_ids.contains(id));
            }
            Err(_) => {
                let after = kiosk.status();
                assert_eq!(
                    (before.pending, before.exported, before.delivered),
                    (after.pending, after.exported, after.delivered),
                    "a refused receipt changes nothing"
                );
            }
        }
        empty(&kiosk.exchange);
    }
    kiosk.top_up();
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

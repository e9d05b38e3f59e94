//! The census's shapes: what each keeps. A census of an earlier shape gets what it lacks, once,
//! at the first unlock after the upgrade (`census::adopt`).

use super::OFFERS;
#[cfg(doc)]
use super::{AUDIT_LOG, DIGESTED, HELD_FOR_ERASURE, RESTRICTED, VISIT_STATES};

/// The census's shape: 1 counts the kiosks' security events too (a deleted burst of wrong PINs
/// would hide it from the desk's unusual-access flags); 2 keeps the [`DIGESTED`] tables'
/// digests; 3 the digest of who is restricted ([`RESTRICTED`]); 4 that of whose record is held
/// for erasure ([`HELD_FOR_ERASURE`]); 5 the sum of every visit state ([`VISIT_STATES`]); 6 the
/// audit log's length ([`AUDIT_LOG`]); 7 the pairing offers' digest ([`OFFERS`]).
pub(super) const SHAPE: u32 = 7;

/// The first shape that counts the kiosks' security events.
pub(super) const EVENTS_SHAPE: u32 = 1;

/// The first shape that keeps the [`DIGESTED`] tables' digests.
pub(super) const TABLE_DIGESTS_SHAPE: u32 = 2;

/// The first shape that keeps the sums of the summed tables (`row_sums::SUMMED`).
pub(super) const SUMS_SHAPE: u32 = 5;

/// The first shape that keeps the audit log's length.
pub(super) const AUDIT_SHAPE: u32 = 6;

/// The first shape that keeps the digest of the pairing offers.
pub(super) const OFFERS_SHAPE: u32 = 7;

/// The first shape that keeps `table`'s digest (one of [`DIGESTED`]).
pub(super) fn digested_from(table: &str) -> u32 {
    if table == OFFERS {
        OFFERS_SHAPE
    } else {
        TABLE_DIGESTS_SHAPE
    }
}

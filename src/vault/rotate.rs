//! A new data key for an installation (rotation), and what must survive it.
//!
//! Rotation draws a fresh random data key; every purpose key (field sealing, blind index, audit
//! MAC, row MAC) follows from it, so the store re-seals and re-tags everything under the new
//! vault. One thing cannot be recomputed: a PIN hash needs the PIN itself. The PIN pepper is
//! therefore carried over to the new vault and kept sealed under the new field key (the store
//! keeps it in `installation.sealed_pin_pepper`); the pepper opens nothing, it only lets the
//! stored PIN hashes be tested.

use super::{Aad, KeyWrap, Passphrase, SecretKey, Vault, VaultError, WrapKind};

impl Vault {
    /// A vault under a new random data key, with this vault's PIN pepper carried over.
    pub fn rotated(&self) -> Result<Vault, VaultError> {
        let mut next = Vault::from_dek(SecretKey::generate()?);
        next.set_pin_pepper(self.pin_pepper().clone());
        Ok(next)
    }

    /// The PIN pepper sealed under this vault's field key, for the place `aad` names.
    pub fn seal_pin_pepper(&self, aad: Aad<'_>) -> Result<Vec<u8>, VaultError> {
        self.seal(aad, self.pin_pepper().expose())
    }

    /// Takes the PIN pepper carried over by an earlier rotation (sealed under this vault).
    pub fn adopt_pin_pepper(&mut self, aad: Aad<'_>, sealed: &[u8]) -> Result<(), VaultError> {
        let opened = self.open(aad, sealed)?;
        let array: [u8; 32] = opened
            .as_slice()
            .try_into()
            .map_err(|_| VaultError::OpenFailed)?;
        self.set_pin_pepper(SecretKey::from_bytes(array));
        Ok(())
    }

    /// Whether `passphrase` opens `wrap` to this very data key (a manager proving their
    /// passphrase to an open vault, e.g. before a change or a rotation).
    pub fn passphrase_opens(
        &self, wrap: &KeyWrap, passphrase: &Passphrase,
    ) -> Result<bool, VaultError> {
        if !matches!(wrap.kind, WrapKind::Passphrase(_)) {
            return Ok(false);
        }
        match Vault::unlock_with_passphrase(std::slice::from_ref(wrap), passphrase) {
            Ok((opened, _)) => Ok(super::constant_time_eq(
                opened.dek_fingerprint().as_slice(),
                self.dek_fingerprint().as_slice(),
            )),
            Err(VaultError::WrongPassphrase) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// A value that differs between data keys and tells nothing about them.
    fn dek_fingerprint(&self) -> [u8; 32] {
        self.row_tag(b"intake-kiosk/v1/dek-fingerprint")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::Pin;

    fn aad() -> Aad<'static> {
        Aad {
            table: "installation",
            column: "sealed_pin_pepper",
            row_id: "1",
        }
    }

    #[test]
    fn a_rotated_vault_opens_nothing_of_the_old_one_but_keeps_pins() {
        let old = Vault::create().expect("vault");
        let pin = old.hash_pin(&Pin::new("583920")).expect("hash");
        let sealed = old.seal(aad(), b"x").expect("seal");
        let new = old.rotated().expect("rotate");
        assert_eq!(new.open(aad(), &sealed).err(), Some(VaultError::OpenFailed));
        assert_ne!(old.blind_index("a"), new.blind_index("a"));
        assert_ne!(old.row_tag(b"a"), new.row_tag(b"a"));
        assert!(new.verify_pin(&Pin::new("583920"), &pin).expect("verify"));

        // After a restart the new vault comes from its wrap alone: the pepper is adopted.
        let wrap = new
            .wrap_with_passphrase("m", &Passphrase::new("a long enough phrase"))
            .expect("wrap");
        let sealed_pepper = new.seal_pin_pepper(aad()).expect("seal pepper");
        let (mut reopened, _) = Vault::unlock_with_passphrase(
            std::slice::from_ref(&wrap),
            &Passphrase::new("a long enough phrase"),
        )
        .expect("unlock");
        assert!(
            !reopened
                .verify_pin(&Pin::new("583920"), &pin)
                .expect("verify")
        );
        reopened
            .adopt_pin_pepper(aad(), &sealed_pepper)
            .expect("adopt");
        assert!(
            reopened
                .verify_pin(&Pin::new("583920"), &pin)
                .expect("verify")
        );
        assert!(
            new.passphrase_opens(&wrap, &Passphrase::new("a long enough phrase"))
                .expect("check")
        );
        assert!(
            !old.passphrase_opens(&wrap, &Passphrase::new("a long enough phrase"))
                .expect("check")
        );
    }
}

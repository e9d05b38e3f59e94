//! The demo clinic for `--demo`: a throwaway data folder with staff whose PINs the README lists.

use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::staff::Role;
use crate::store::{OpenStore, SetupRequest, Store, StoreError};
use crate::vault::{Passphrase, Pin};

pub const DEMO_PASSPHRASE: &str = "demo clinic passphrase";
pub const DEMO_STAFF: [(&str, Role, &str); 3] = [
    ("Maya (manager)", Role::Manager, "402718"),
    ("Chris (clinician)", Role::Clinician, "918273"),
    ("Rita (reception)", Role::Reception, "560193"),
];

/// A fresh folder under the system temp directory, unique to this process.
pub fn demo_dir() -> PathBuf {
    std::env::temp_dir().join(format!("intake-kiosk-demo-{}", std::process::id()))
}

/// Creates the demo clinic at `path` and closes it; the caller opens it with the passphrase.
pub fn create_demo_clinic(path: &Path) -> Result<Store, StoreError> {
    let store = Store::open(path)?;
    let request = SetupRequest {
        clinic_name: "Demo Skin Clinic".into(),
        manager_name: DEMO_STAFF[0].0.into(),
        manager_passphrase: Passphrase::new(DEMO_PASSPHRASE),
        manager_pin: Pin::new(DEMO_STAFF[0].2),
        staff: DEMO_STAFF[1..]
            .iter()
            .map(|(name, role, pin)| ((*name).to_owned(), *role, Pin::new(*pin)))
            .collect(),
    };
    let result = OpenStore::setup(store, request, Utc::now()).map_err(|e| match e {
        crate::store::SignInError::Store(s) => s,
        other => StoreError::Encoding(other.to_string()),
    })?;
    result.store.close(None, Utc::now())
}

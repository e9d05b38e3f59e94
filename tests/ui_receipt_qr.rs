//! The receipt's QR code, rendered by the app's own software renderer, decodes with an independent
//! decoder (zbarimg) to exactly the reference and choices shown — and holds no name or health data;
//! the receipt hides 60 s after it appeared, taps or not (mock time).

mod ui_common;

use i_slint_backend_testing::{TestingBackend, TestingBackendOptions};
use intake_kiosk::ui::{KioskAdapter, ReceiptAdapter, Screen};
use slint::ComponentHandle;
use ui_common::*;

#[test]
fn the_receipt_code_decodes_to_what_the_screen_says() {
    slint::platform::set_platform(Box::new(TestingBackend::new(TestingBackendOptions {
        mock_time: true,
        threading: false,
        renderer_name: Some("software".into()),
    })))
    .expect("testing platform");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kiosk.sqlite3");
    drop(intake_kiosk::demo::create_demo_clinic(&path).expect("demo clinic"));
    let ui = new_kiosk(&path);
    ui.with_kiosk(|k| k.unlock(intake_kiosk::demo::DEMO_PASSPHRASE));
    enter_pin(&ui, "Chris (clinician)", "918273");
    click(&ui, "Hand over for a new patient");
    ui.with_kiosk(|k| {
        for (q, v) in [
            ("given_name", "Quentin"),
            ("family_name", "Zebulon"),
            ("date_of_birth", "1985-12-10"),
            ("postcode", "SW1A 1AA"),
        ] {
            k.set_text(q, v);
        }
        k.set_yes_no("conditions_any", false);
        k.set_yes_no("pregnant", false);
        k.set_yes_no("allergies_any", true);
        k.set_text("allergies_detail", "canary-allergen");
        k.set_consent("treatment", true);
        k.set_consent("photo_social", true);
        for _ in 0..20 {
            k.next_step();
        }
        k.sign_point(5.0, 5.0, true);
        k.submit();
    });
    assert_eq!(screen(&ui), Screen::HandBack);
    if let Some(decoded) = qr_on_screen(&ui, dir.path()) {
        let reference = ui
            .window
            .global::<ReceiptAdapter>()
            .get_reference()
            .to_string();
        assert_eq!(
            decoded,
            format!(
                "IKR1;Demo Skin Clinic;{};{reference};treatment=yes,marketing_email=no,marketing_sms=no,marketing_whatsapp=no,photo_clinical=no,photo_website=no,photo_social=yes,photo_print=no",
                chrono::Utc::now().date_naive()
            )
        );
        for secret in ["Quentin", "Zebulon", "canary", "1985"] {
            assert!(!decoded.contains(secret), "{secret} in the code");
        }
    }

    // The receipt hides a minute after it appeared, even if someone keeps tapping meanwhile
    // (the next person in the queue must not read it).
    let receipt = ui.window.global::<ReceiptAdapter>();
    for _ in 0..59 {
        i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_secs(1));
        ui.window.global::<KioskAdapter>().invoke_activity();
    }
    assert!(receipt.get_visible(), "still there after 59 s");
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_millis(1_500));
    assert!(!receipt.get_visible(), "gone 60 s after it appeared");
    assert_eq!(screen(&ui), Screen::HandBack);
}

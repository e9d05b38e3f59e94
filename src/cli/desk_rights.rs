//! `intake-kiosk desk …` for patient rights, retention, breaches and oversight. Each prints what
//! it did; every action is audited by the store.

use anyhow::{Context, Result, bail};
use chrono::{Duration, Utc};
use intake_kiosk::desk::actions::{self, DetailChanges, NewBreachAt, StatementTo};
use intake_kiosk::rights::{RequestKind, RequestStatus, Risk, breach::hours_left};
use intake_kiosk::store::{Actor, ChainCheck, NewRightsRequest, OpenStore};

use super::PartlyDone;
use super::args::{RightsCommand, date_of_birth, email_or_none};
use super::secrets::SecretSource;

/// Runs one rights command.
pub fn run(
    command: RightsCommand, store: &OpenStore, actor: &Actor, exports: &std::path::Path,
    secrets: &mut SecretSource,
) -> Result<()> {
    let now = Utc::now();
    match command {
        RightsCommand::Record { patient } => {
            let patient = patient.as_str();
            let record = actions::open_record(store, actor, patient, now)?;
            let who = &record.identity;
            println!(
                "patient {patient}: {} born {}",
                who.display_name(),
                who.date_of_birth
            );
            println!("  contact: {} {} {}", who.postcode, who.email, who.phone);
            println!("  last visit {}", record.last_visit_at);
            if let Some(since) = &record.restricted_at {
                println!("  PROCESSING RESTRICTED since {since}");
            }
            if let Some((into, at)) = &record.merged_into {
                println!("  MERGED into {into} on {at}: its forms and consents are there now");
            }
            if let Some(at) = &record.erasure_requested_at {
                println!("  erasure requested {at}: medical record held until its retention end");
            }
            for (item, decision) in intake_kiosk::forms::current_state(&record.consents) {
                println!(
                    "  consent {item} = {}",
                    format!("{decision:?}").to_lowercase()
                );
            }
            for s in record.submissions.iter().flatten() {
                println!(
                    "  form {} {} ({} v{}) version {}{}",
                    s.id,
                    s.created_at,
                    s.form_id,
                    s.form_version,
                    s.version,
                    s.source
                        .as_deref()
                        .map(|k| format!(" from kiosk {k}"))
                        .unwrap_or_default()
                );
            }
        }
        RightsCommand::AccessHistory { patient } => {
            for e in store.access_history(actor, &patient, now)? {
                println!("{}  {:<10} {:<18} {}", e.at, e.actor, e.kind, e.subject);
            }
        }
        RightsCommand::AccessExport { patient, to } => {
            let files = actions::access_export(store, actor, &patient, &to, now)?;
            for f in [&files.json, &files.fhir, &files.html] {
                println!("{}", f.display());
            }
        }
        RightsCommand::AmendDetails {
            patient,
            reason,
            given,
            family,
            dob,
            postcode,
            email,
            phone,
        } => {
            let changes = DetailChanges {
                given_name: secrets.opt_value(given, "the new given name")?,
                family_name: secrets.opt_value(family, "the new family name")?,
                date_of_birth: dob
                    .map(|dob| secrets.checked_value(dob, "the new date of birth", date_of_birth))
                    .transpose()?,
                postcode: secrets.opt_value(postcode, "the new postcode")?,
                email: email
                    .map(|email| {
                        secrets.checked_value(email, "the new email address", email_or_none)
                    })
                    .transpose()?,
                phone: secrets.opt_value(phone, "the new phone number")?,
            };
            let reason = secrets.value(reason, "the reason")?;
            actions::amend_details(store, actor, &patient, &changes, &reason, now)?;
            println!("details of {patient} amended; the old ones are kept in the history");
        }
        RightsCommand::Merge { into, from, reason } => {
            let duplicate = from;
            let report = actions::merge(store, actor, &into, &duplicate, &reason, now)?;
            println!(
                "{duplicate} merged into {into}: {} and {} moved; {duplicate} is kept, marked merged, and its details are in the history of {into}",
                super::counted(report.submissions, "form", "forms"),
                super::counted(
                    report.consent_events,
                    "consent decision",
                    "consent decisions"
                )
            );
        }
        RightsCommand::AmendAnswer {
            submission,
            question,
            value,
            reason,
        } => {
            let question_id = question.as_str();
            let value = secrets.value(value, "the new answer")?;
            let reason = secrets.value(reason, "the reason")?;
            actions::amend_answer(store, actor, &submission, question_id, &value, &reason, now)?;
            println!("{question_id} of form {submission} amended (FHIR status: amended)");
        }
        RightsCommand::Restrict { ref patient } | RightsCommand::Unrestrict { ref patient } => {
            let restrict = matches!(command, RightsCommand::Restrict { .. });
            actions::set_restricted(store, actor, patient, restrict, now)?;
            println!(
                "processing of {patient} {}",
                if restrict {
                    "restricted: stored only"
                } else {
                    "no longer restricted"
                }
            );
        }
        RightsCommand::Erase {
            patient,
            statement: file,
        } => {
            let to = file
                .as_deref()
                .map_or(StatementTo::Nowhere, StatementTo::File);
            let done = actions::erase(store, actor, &patient, to, exports, now)?;
            match done.saved {
                Ok(Some(file)) => println!("erasure statement written to {}", file.display()),
                Ok(None) => print!("{}", done.text),
                Err(e) => {
                    print!("{}", done.text);
                    return Err(PartlyDone(format!(
                        "erased, but the statement was not saved: {e}"
                    ))
                    .into());
                }
            }
            if done.statement.old_copies_remain {
                eprintln!("{}", intake_kiosk::store::OLD_COPIES_REMAIN);
            }
            match &done.outbox {
                Some((dir, Ok(taken))) if taken.any() => println!(
                    "forms still waiting in the outbox {}: {} taken out, {} written again without what was erased",
                    dir.display(),
                    taken.removed,
                    taken.rewritten
                ),
                Some((dir, Err(e))) => {
                    return Err(PartlyDone(format!(
                        "erased, but the forms still waiting in the outbox {} were not all taken out ({e}): remove this patient's files there by hand",
                        dir.display()
                    ))
                    .into());
                }
                _ => {}
            }
        }
        RightsCommand::ConfirmClock => {
            actions::confirm_clock(store, actor, now)?;
            println!(
                "clock confirmed as right at {}: corrections, requests and breaches are dated by it again; the retention check runs again at the next opening, or now with `desk retention`",
                now.to_rfc3339()
            );
        }
        RightsCommand::Retention => {
            let report = actions::retention(store, actor, exports, now)?;
            println!(
                "retention run {}: {} past {} since their last visit looked at; {} and {} erased ({})",
                report.ran_at,
                super::counted(report.checked, "patient", "patients"),
                super::counted(report.policy.map_or(0, |p| p.adult_years), "year", "years"),
                super::counted(report.erased_adults.len(), "adult", "adults"),
                super::counted(report.erased_children.len(), "child", "children"),
                super::counted(report.erased_submissions, "form", "forms")
            );
            for (id, until) in report.erased_adults.iter().chain(&report.erased_children) {
                println!("  erased {id} (held until {until})");
            }
            if report.old_copies_remain {
                eprintln!("{}", intake_kiosk::store::OLD_COPIES_REMAIN);
            }
        }
        RightsCommand::Request {
            kind,
            requester,
            identity_check,
            patient,
            received,
            notes,
        } => {
            let requester = secrets.value(requester, "who asked")?;
            let identity_check = secrets.value(identity_check, "how their identity was checked")?;
            let notes = secrets.value(notes, "the notes")?;
            let request = NewRightsRequest {
                patient_id: patient,
                kind: RequestKind::parse(&kind).with_context(|| {
                    format!("--kind is one of access, portability, rectification, erasure, restriction, objection, withdrawal; not {kind:?}")
                })?,
                received_on: received.unwrap_or_else(|| now.date_naive()),
                requester,
                identity_check,
                notes,
            };
            let logged = actions::log_request(store, actor, &request, now)?;
            println!("request {} logged; due {}", logged.id, logged.due_on);
        }
        RightsCommand::Requests => {
            let today = now.date_naive();
            for r in store.rights_requests(actor)? {
                println!(
                    "{} {:<13} received {} due {} {}{} — {} ({})",
                    r.id,
                    r.kind.as_str(),
                    r.received_on,
                    r.due_on,
                    r.status.as_str(),
                    if r.is_overdue(today) { " OVERDUE" } else { "" },
                    r.requester,
                    r.identity_check
                );
            }
        }
        RightsCommand::RequestExtend { id, months, reason } => {
            let due = actions::extend_request(store, actor, &id, months, &reason, now)?;
            println!("now due {due}");
        }
        RightsCommand::RequestClose {
            id,
            status,
            outcome,
        } => {
            let status = match status.as_str() {
                "done" => RequestStatus::Done,
                "refused" => RequestStatus::Refused,
                other => bail!("--status is done or refused, not {other:?}"),
            };
            actions::close_request(store, actor, &id, status, &outcome, now)?;
            println!("request closed as {}", status.as_str());
        }
        RightsCommand::Breach {
            what,
            risk,
            discovered,
            staff,
            from,
            until,
        } => {
            let what = secrets.value(what, "what happened")?;
            let touched = match (from, until) {
                (Some(from), Some(until)) => Some((staff.as_deref(), from, until)),
                _ => None,
            };
            let breach = NewBreachAt {
                discovered_at: discovered.unwrap_or(now),
                what: &what,
                touched,
                risk: Risk::parse(&risk)
                    .with_context(|| format!("--risk is unlikely, risk or high; not {risk:?}"))?,
            };
            let recorded = actions::record_breach(store, actor, &breach, now)?;
            println!(
                "breach {} recorded; {} concerned (from the audit log)",
                recorded.id,
                super::counted(recorded.records, "record", "records")
            );
            if recorded.must_report {
                println!(
                    "report it to the ICO within {} hours (by {})",
                    hours_left(breach.discovered_at, now),
                    intake_kiosk::rights::report_deadline(breach.discovered_at)
                );
            }
        }
        RightsCommand::Breaches => {
            for b in store.breaches(actor)? {
                let clock = match (&b.reported_at, b.risk.must_report()) {
                    (Some(at), _) => format!("reported {at} ({})", b.regulator_reference),
                    (None, true) => {
                        format!("NOT REPORTED: {} h left", hours_left(b.discovered_at, now))
                    }
                    (None, false) => "not reportable (risk unlikely)".to_owned(),
                };
                println!(
                    "{} discovered {} risk {} — {}; {}; {}",
                    b.id,
                    b.discovered_at,
                    b.risk.as_str(),
                    b.what_happened,
                    super::counted(b.records.len(), "record", "records"),
                    clock
                );
            }
        }
        RightsCommand::BreachReported { id, reference } => {
            actions::breach_reported(store, actor, &id, &reference, now)?;
            println!("marked as reported");
        }
        RightsCommand::Audit { patient, staff } => {
            match store.verify_audit()? {
                ChainCheck::Intact { entries, .. } => {
                    println!(
                        "desk audit chain intact: {}",
                        super::counted(entries, "entry", "entries")
                    )
                }
                ChainCheck::BrokenAt { seq } => println!("DESK AUDIT CHAIN BROKEN at entry {seq}"),
            }
            for k in store.kiosk_links()? {
                println!(
                    "kiosk {}: {} vouched for by its last bundle (tag {})",
                    k.kiosk_id,
                    super::counted(k.audit_length, "audit entry", "audit entries"),
                    k.audit_tag.get(..16).unwrap_or("")
                );
            }
            let entries = store.audit_entries(actor, patient.as_deref(), staff.as_deref())?;
            if patient.is_some() || staff.is_some() {
                for e in entries {
                    println!(
                        "{:>6} {}  {:<10} {:<22} {}",
                        e.seq, e.at, e.actor, e.kind, e.subject
                    );
                }
            }
        }
        RightsCommand::Flags { days } => {
            let flags = store.unusual_access(actor, now - Duration::days(days))?;
            if flags.is_empty() {
                println!(
                    "no unusual access in the last {}",
                    super::counted(days, "day", "days")
                );
            }
            for f in flags {
                println!(
                    "{:?} {} ×{} from {} to {}",
                    f.kind, f.actor, f.count, f.from, f.to
                );
            }
        }
        RightsCommand::Set { key, value } => {
            // Checked before it is stored: a bad value is refused and nothing is written.
            let stored = actions::set_setting(store, actor, &key, &value, now)?;
            println!("{key} set to {stored}");
        }
    }
    Ok(())
}

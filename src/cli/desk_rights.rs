//! `intake-kiosk desk …` for patient rights, retention, breaches and oversight. Each prints what
//! it did; every action is audited by the store.

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use intake_kiosk::desk::actions::{self, DetailChanges, NewBreachAt, StatementTo};
use intake_kiosk::rights::{RequestKind, RequestStatus, Risk, breach::hours_left};
use intake_kiosk::store::{Actor, ChainCheck, NewRightsRequest, OpenStore};

use super::Opts;

fn time(opts: &Opts, name: &str) -> Result<DateTime<Utc>> {
    let text = opts.need(name)?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
        })
        .with_context(|| format!("--{name} takes a date (YYYY-MM-DD) or an RFC 3339 time"))
}

/// Runs one rights command; `Ok(false)` when `command` is not one of them.
pub fn run(command: &str, store: &OpenStore, actor: &Actor, opts: &Opts) -> Result<bool> {
    let now = Utc::now();
    match command {
        "record" => {
            let patient = opts.need("patient")?;
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
        "access-history" => {
            let patient = opts.need("patient")?;
            for e in store.access_history(actor, patient, now)? {
                println!("{}  {:<10} {:<18} {}", e.at, e.actor, e.kind, e.subject);
            }
        }
        "access-export" => {
            let patient = opts.need("patient")?;
            let files = actions::access_export(store, actor, patient, &opts.path("to")?, now)?;
            for f in [&files.json, &files.fhir, &files.html] {
                println!("{}", f.display());
            }
        }
        "amend-details" => {
            let patient = opts.need("patient")?;
            let value = |name: &str| opts.get(name).map(str::to_owned);
            let changes = DetailChanges {
                given_name: value("given"),
                family_name: value("family"),
                date_of_birth: value("dob"),
                postcode: value("postcode"),
                email: value("email"),
                phone: value("phone"),
            };
            actions::amend_details(store, actor, patient, &changes, opts.need("reason")?, now)?;
            println!("details of {patient} amended; the old ones are kept in the history");
        }
        "merge" => {
            let (into, duplicate) = (opts.need("into")?, opts.need("from")?);
            let report = actions::merge(store, actor, into, duplicate, opts.need("reason")?, now)?;
            println!(
                "{duplicate} merged into {into}: {} forms and {} consent decisions moved; {duplicate} is kept, marked merged, and its details are in the history of {into}",
                report.submissions, report.consent_events
            );
        }
        "amend-answer" => {
            let submission = opts.need("submission")?;
            let question_id = opts.need("question")?;
            let (value, reason) = (opts.need("value")?, opts.need("reason")?);
            actions::amend_answer(store, actor, submission, question_id, value, reason, now)?;
            println!("{question_id} of form {submission} amended (FHIR status: amended)");
        }
        "restrict" | "unrestrict" => {
            let patient = opts.need("patient")?;
            actions::set_restricted(store, actor, patient, command == "restrict", now)?;
            println!(
                "processing of {patient} {}",
                if command == "restrict" {
                    "restricted: stored only"
                } else {
                    "no longer restricted"
                }
            );
        }
        "erase" => {
            let patient = opts.need("patient")?;
            let to = opts
                .get("statement")
                .map_or(StatementTo::Nowhere, |f| StatementTo::File(f.as_ref()));
            let done = actions::erase(store, actor, patient, to, now)?;
            match done.saved {
                Ok(Some(file)) => println!("erasure statement written to {}", file.display()),
                Ok(None) => print!("{}", done.text),
                Err(e) => {
                    print!("{}", done.text);
                    bail!("erased, but the statement was not saved: {e}");
                }
            }
            if done.statement.old_copies_remain {
                eprintln!("{}", intake_kiosk::store::OLD_COPIES_REMAIN);
            }
        }
        "retention" => {
            let report = actions::retention(store, actor, now)?;
            println!(
                "retention run {}: {} patients past {} years since their last visit looked at; {} adults and {} children erased ({} forms)",
                report.ran_at,
                report.checked,
                report.policy.map_or(0, |p| p.adult_years),
                report.erased_adults.len(),
                report.erased_children.len(),
                report.erased_submissions
            );
            for (id, until) in report.erased_adults.iter().chain(&report.erased_children) {
                println!("  erased {id} (held until {until})");
            }
            if report.old_copies_remain {
                eprintln!("{}", intake_kiosk::store::OLD_COPIES_REMAIN);
            }
        }
        "request" => {
            let kind = opts.need("kind")?;
            let request = NewRightsRequest {
                patient_id: opts.get("patient").map(str::to_owned),
                kind: RequestKind::parse(kind).with_context(|| {
                    format!("--kind is one of access, portability, rectification, erasure, restriction, objection, withdrawal; not {kind:?}")
                })?,
                received_on: opts
                    .get("received")
                    .map(|d| d.parse::<NaiveDate>())
                    .transpose()
                    .context("--received takes YYYY-MM-DD")?
                    .unwrap_or_else(|| now.date_naive()),
                requester: opts.need("requester")?.to_owned(),
                identity_check: opts.need("identity-check")?.to_owned(),
                notes: opts.get("notes").unwrap_or("").to_owned(),
            };
            let logged = actions::log_request(store, actor, &request, now)?;
            println!("request {} logged; due {}", logged.id, logged.due_on);
        }
        "requests" => {
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
        "request-extend" => {
            let months: u32 = opts
                .need("months")?
                .parse()
                .context("--months takes 1 or 2")?;
            let due = actions::extend_request(
                store,
                actor,
                opts.need("id")?,
                months,
                opts.need("reason")?,
                now,
            )?;
            println!("now due {due}");
        }
        "request-close" => {
            let status = match opts.need("status")? {
                "done" => RequestStatus::Done,
                "refused" => RequestStatus::Refused,
                other => bail!("--status is done or refused, not {other:?}"),
            };
            actions::close_request(
                store,
                actor,
                opts.need("id")?,
                status,
                opts.need("outcome")?,
                now,
            )?;
            println!("request closed as {}", status.as_str());
        }
        "breach" => {
            let risk = opts.need("risk")?;
            let touched = match (opts.get("from"), opts.get("until")) {
                (Some(_), Some(_)) => {
                    Some((opts.get("staff"), time(opts, "from")?, time(opts, "until")?))
                }
                _ => None,
            };
            let breach = NewBreachAt {
                discovered_at: opts
                    .get("discovered")
                    .map(|_| time(opts, "discovered"))
                    .transpose()?
                    .unwrap_or(now),
                what: opts.need("what")?,
                touched,
                risk: Risk::parse(risk)
                    .with_context(|| format!("--risk is unlikely, risk or high; not {risk:?}"))?,
            };
            let recorded = actions::record_breach(store, actor, &breach, now)?;
            println!(
                "breach {} recorded; {} records concerned (from the audit log)",
                recorded.id, recorded.records
            );
            if recorded.must_report {
                println!(
                    "report it to the ICO within {} hours (by {})",
                    hours_left(breach.discovered_at, now),
                    intake_kiosk::rights::report_deadline(breach.discovered_at)
                );
            }
        }
        "breaches" => {
            for b in store.breaches(actor)? {
                let clock = match (&b.reported_at, b.risk.must_report()) {
                    (Some(at), _) => format!("reported {at} ({})", b.regulator_reference),
                    (None, true) => {
                        format!("NOT REPORTED: {} h left", hours_left(b.discovered_at, now))
                    }
                    (None, false) => "not reportable (risk unlikely)".to_owned(),
                };
                println!(
                    "{} discovered {} risk {} — {}; {} records; {}",
                    b.id,
                    b.discovered_at,
                    b.risk.as_str(),
                    b.what_happened,
                    b.records.len(),
                    clock
                );
            }
        }
        "breach-reported" => {
            actions::breach_reported(store, actor, opts.need("id")?, opts.need("reference")?, now)?;
            println!("marked as reported");
        }
        "audit" => {
            match store.verify_audit()? {
                ChainCheck::Intact { entries, .. } => {
                    println!("desk audit chain intact: {entries} entries")
                }
                ChainCheck::BrokenAt { seq } => println!("DESK AUDIT CHAIN BROKEN at entry {seq}"),
            }
            for k in store.kiosk_links()? {
                println!(
                    "kiosk {}: {} audit entries vouched for by its last bundle (tag {})",
                    k.kiosk_id,
                    k.audit_length,
                    k.audit_tag.get(..16).unwrap_or("")
                );
            }
            let entries = store.audit_entries(actor, opts.get("patient"), opts.get("staff"))?;
            if opts.get("patient").is_some() || opts.get("staff").is_some() {
                for e in entries {
                    println!(
                        "{:>6} {}  {:<10} {:<22} {}",
                        e.seq, e.at, e.actor, e.kind, e.subject
                    );
                }
            }
        }
        "flags" => {
            let days: i64 = opts
                .get("days")
                .unwrap_or("7")
                .parse()
                .context("--days takes a number")?;
            let flags = store.unusual_access(actor, now - Duration::days(days))?;
            if flags.is_empty() {
                println!("no unusual access in the last {days} days");
            }
            for f in flags {
                println!(
                    "{:?} {} ×{} from {} to {}",
                    f.kind, f.actor, f.count, f.from, f.to
                );
            }
        }
        "set" => {
            let key = opts.need("key")?;
            store.set_setting(actor, key, opts.need("value")?, now)?;
            // Read back through the typed getters so a bad value is reported now, not later.
            store.retention_policy()?;
            store.oversight_thresholds()?;
            println!("{key} set");
        }
        _ => return Ok(false),
    }
    Ok(true)
}
